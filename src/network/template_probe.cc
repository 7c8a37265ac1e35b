// File: network/template_probe.cc
// Sending the probe templates (network/templates.h) to the services of a live device: HTTP and
// HTTPS (with the optional discovery GET and the cleanup request), RTSP, raw TCP, and MQTT through
// libmosquitto (anonymous CONNECT, SUBSCRIBE, the messages that arrive within a short window).
// Every connection goes through the one rate limiter and obeys the Limits; a few workers share
// the (template, endpoint) pairs and facts are added in template order.
#include "network/template_probe.h"

#include <mosquitto.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "network/http.h"
#include "network/tls.h"
#include "protocols/address.h"

namespace iotcop::network {

namespace {

constexpr std::size_t kTplWorkers = 4;
constexpr std::size_t kTplMaxMessages = 16;

// Our address as `address` sees it: the source the kernel picks for a UDP socket connected there
// (no packet is sent).
std::string TplLocalAddress(const std::string& address) {
  SocketAddress sa;
  if (!ParseAddress(address, 9, sa)) return "";
  const int fd = ::socket(sa.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  std::string out;
  sockaddr_storage local{};
  socklen_t len = sizeof(local);
  if (::connect(fd, sa.get(), sa.size) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0) {
    out = AddressText(local);
  }
  ::close(fd);
  return out;
}

struct TplResult {
  bool tried = false;
  std::size_t requests = 0, errors = 0;
  std::optional<nlohmann::json> match;
  std::string excerpt;
};

TemplateAnswer TplAnswerOf(const std::string& data, const std::string& where) {
  TemplateAnswer a;
  auto r = protocols::ParseHttpMessage(data, where, kProbeHttpSyntax);
  if (!r) {
    a.body = data.substr(0, kTemplateWindow);
    return a;
  }
  a.status = r->status;
  for (const auto& [k, v] : r->headers) a.headers += k + ": " + v + "\n";
  a.body = r->body.substr(0, kTemplateWindow);
  return a;
}

class TplRunner {
 public:
  TplRunner(const Endpoint& e, const Limits& l, RateLimiter& rate)
      : e_(e),
        l_(l),
        rate_(rate),
        vars_{e.address, protocols::HostPort(e.address, e.port), TplLocalAddress(e.address),
              e.port} {}

  TplResult Run(const Template& t) {
    TplResult r;
    r.tried = true;
    const auto& q = t.request;
    if (q.protocol == "mqtt") return Mqtt(t);
    if (q.protocol == "tcp") return Tcp(t);
    std::vector<std::string> paths = q.paths;
    if (q.discover) {
      paths.clear();
      for (const auto& p : q.discover->paths) {
        ++r.requests;
        auto data = Send(Web(t.request, "GET", p, {}, ""), p);
        if (!data) {
          ++r.errors;
          continue;
        }
        const TemplateAnswer a = TplAnswerOf(*data, Where(p));
        std::smatch m;
        bool hit = false;
        try {
          hit = a.status == 200 && std::regex_search(a.body, m, q.discover->pattern);
        } catch (const std::regex_error&) {
        }
        if (!hit || !m[1].matched) continue;
        std::string path = m[1].str();
        if (auto s = path.find("://"); s != std::string::npos) {
          const auto slash = path.find('/', s + 3);
          path = slash == std::string::npos ? "/" : path.substr(slash);
        }
        if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
        if (path.size() > 512 || path.find_first_of(" \r\n") != std::string::npos) continue;
        paths.push_back(path);
        r.excerpt = fmt::format("{} gave {}", Where(p), path);
        break;
      }
    }
    for (const auto& path : paths) {
      const std::string req = Web(q, q.method, path, q.headers, q.body);
      ++r.requests;
      auto data = Send(req, path);
      if (!data) {
        ++r.errors;
        continue;
      }
      const TemplateAnswer a = TplAnswerOf(*data, Where(path));
      auto excerpt = MatchTemplate(t, a);
      if (!excerpt) continue;
      const std::string line = req.substr(0, req.find("\r\n"));
      nlohmann::json m = {{"request", RedactSecrets(line)},
                          {"url", Where(path)},
                          {"status", a.status},
                          {"excerpt", *excerpt}};
      if (!r.excerpt.empty()) m["discovered"] = r.excerpt;
      if (t.cleanup) m["cleanup"] = Cleanup(*t.cleanup, path);
      r.match = std::move(m);
      return r;
    }
    return r;
  }

 private:
  bool rtsp(const TemplateRequest& q) const { return q.protocol == "rtsp"; }
  std::string Where(const std::string& path) const {
    return fmt::format("{}://{}{}", e_.tls ? "https" : "http", vars_.host, path);
  }
  // The request text of an http or rtsp template.
  std::string Web(const TemplateRequest& q, const std::string& method, const std::string& path,
                  const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::string& body_tmpl) const {
    const std::string p = ExpandTemplate(path, vars_);
    std::string req =
        rtsp(q) ? fmt::format("{} rtsp://{}{} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: iotcop\r\n",
                              method, vars_.host, p)
                : fmt::format(
                      "{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: iotcop\r\nAccept: */*\r\n"
                      "Connection: close\r\n",
                      method, p, HttpHostHeader(e_.address, e_.port, e_.tls));
    for (const auto& [k, v] : headers) req += k + ": " + ExpandTemplate(v, vars_) + "\r\n";
    const std::string body = ExpandTemplate(body_tmpl, vars_);
    if (!body.empty() || method == "POST")
      req += fmt::format("Content-Length: {}\r\n", body.size());
    return req + "\r\n" + body;
  }
  Result<std::string> Send(const std::string& req, const std::string& path) {
    return HttpRoundTrip(e_.address, e_.port, e_.tls, req, Where(path), l_, rate_);
  }
  nlohmann::json Cleanup(const TemplateRequest& c, const std::string& matched_path) {
    const std::string path = c.paths.empty() ? matched_path : c.paths.front();
    const std::string req = Web(c, c.method, path, c.headers, c.body);
    nlohmann::json out = {{"request", RedactSecrets(req.substr(0, req.find("\r\n")))}};
    auto data = Send(req, path);
    if (!data) {
      out["error"] = data.error().Describe();
      return out;
    }
    out["status"] = TplAnswerOf(*data, Where(path)).status;
    return out;
  }

  TplResult Tcp(const Template& t) {
    TplResult r;
    r.tried = true;
    r.requests = 1;
    std::unique_ptr<Channel> ch;
    if (e_.tls) {
      auto t = ConnectTls(e_.address, e_.port, l_, rate_);
      if (t) ch = std::move(*t);
    } else if (auto t = ConnectTcp(e_.address, e_.port, l_, rate_)) {
      ch = std::make_unique<TcpChannel>(std::move(*t));
    }
    if (!ch) {
      r.errors = 1;
      return r;
    }
    const Deadline deadline = Clock::now() + l_.io_timeout;
    const std::string send = ExpandTemplate(t.request.body, vars_);
    if (!send.empty() && !ch->Send(send, deadline)) {
      r.errors = 1;
      return r;
    }
    // A banner: whatever arrives before a short quiet spell (after the first bytes) or the
    // deadline.
    const std::string got = ReadResponse(*ch, deadline, std::min(l_.max_bytes, kTemplateWindow));
    TemplateAnswer a;
    a.body = got;
    auto excerpt = MatchTemplate(t, a);
    if (!excerpt) return r;
    r.match = nlohmann::json{{"request", send.empty() ? std::string("(connect, read the banner)")
                                                      : "send " + Printable(send, 60)},
                             {"url", fmt::format("tcp://{}", vars_.host)},
                             {"status", 0},
                             {"excerpt", *excerpt}};
    return r;
  }

  struct MqttState {
    int connack = -1;
    bool subscribed = false, gone = false;
    std::string lines;
    std::size_t messages = 0;
  };
  static void OnTplConnect(mosquitto*, void* o, int rc) {
    static_cast<MqttState*>(o)->connack = rc;
  }
  static void OnTplSubscribe(mosquitto*, void* o, int, int, const int*) {
    static_cast<MqttState*>(o)->subscribed = true;
  }
  static void OnTplDisconnect(mosquitto*, void* o, int) { static_cast<MqttState*>(o)->gone = true; }
  static void OnTplMessage(mosquitto*, void* o, const mosquitto_message* m) {
    auto* st = static_cast<MqttState*>(o);
    if (st->messages >= kTplMaxMessages || st->lines.size() >= kTemplateWindow) return;
    ++st->messages;
    const std::string payload(static_cast<const char*>(m->payload),
                              static_cast<std::size_t>(std::max(m->payloadlen, 0)));
    st->lines += std::string(m->topic ? m->topic : "") + " " + payload.substr(0, 512) + "\n";
  }

  TplResult Mqtt(const Template& t) {
    TplResult r;
    r.tried = true;
    r.requests = 1;
    static std::once_flag once;
    std::call_once(once, [] { mosquitto_lib_init(); });
    static std::atomic<unsigned> counter{0};
    MqttState st;
    const std::string id = fmt::format("iotcop-tpl-{}", counter++);
    mosquitto* m = mosquitto_new(id.c_str(), true, &st);
    if (!m) {
      r.errors = 1;
      return r;
    }
    mosquitto_connect_callback_set(m, OnTplConnect);
    mosquitto_subscribe_callback_set(m, OnTplSubscribe);
    mosquitto_disconnect_callback_set(m, OnTplDisconnect);
    mosquitto_message_callback_set(m, OnTplMessage);
    if (e_.tls) {
      mosquitto_tls_insecure_set(m, true);
      mosquitto_tls_opts_set(m, 0, nullptr, nullptr);
      mosquitto_tls_set(m, nullptr, "/etc/ssl/certs", nullptr, nullptr, nullptr);
    }
    rate_.Acquire();
    const auto start = Clock::now();
    const auto deadline = start + l_.io_timeout;
    // Retained messages come right after the SUBACK; live ones within the listening window.
    const auto window = std::min<std::chrono::milliseconds>(l_.io_timeout, std::chrono::seconds(2));
    std::optional<Clock::time_point> listen_until;
    if (mosquitto_connect_async(m, e_.address.c_str(), e_.port, 10) != MOSQ_ERR_SUCCESS) {
      mosquitto_destroy(m);
      r.errors = 1;
      return r;
    }
    bool asked = false;
    while (!st.gone && Clock::now() < (listen_until ? *listen_until : deadline) &&
           st.messages < kTplMaxMessages) {
      const int rc = mosquitto_loop(m, 50, 1);
      if (rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_NO_CONN) break;
      if (rc != MOSQ_ERR_SUCCESS) break;
      if (st.connack > 0) break;  // refused
      if (st.connack == 0 && !asked) {
        asked = mosquitto_subscribe(m, nullptr, t.request.topic.c_str(), 0) == MOSQ_ERR_SUCCESS;
        if (!asked) break;
      }
      if (st.subscribed && !listen_until) listen_until = Clock::now() + window;
    }
    mosquitto_disconnect(m);
    mosquitto_destroy(m);
    if (st.connack < 0) {
      r.errors = 1;
      return r;
    }
    TemplateAnswer a;
    a.status = st.connack;
    a.body = st.lines;
    auto excerpt = MatchTemplate(t, a);
    if (!excerpt) return r;
    r.match = nlohmann::json{
        {"request", fmt::format("CONNECT (no credentials), SUBSCRIBE {}", t.request.topic)},
        {"url", fmt::format("mqtt{}://{}", e_.tls ? "s" : "", vars_.host)},
        {"status", st.connack},
        {"messages", st.messages},
        {"excerpt", *excerpt}};
    return r;
  }

  const Endpoint& e_;
  const Limits& l_;
  RateLimiter& rate_;
  TemplateVars vars_;
};

bool TplApplies(const Template& t, const Endpoint& e) {
  if (e.transport != "tcp") return false;
  return std::find(t.services.begin(), t.services.end(), e.service) != t.services.end() ||
         std::find(t.ports.begin(), t.ports.end(), e.port) != t.ports.end();
}

}  // namespace

void RunTemplates(const TemplateSet& set, const std::string& input,
                  const std::vector<Endpoint>& endpoints, const Limits& limits, RateLimiter& rate,
                  Assessment& a) {
  std::vector<std::pair<std::size_t, std::size_t>> pairs;  // (template, endpoint)
  for (std::size_t t = 0; t < set.templates.size(); ++t)
    for (std::size_t e = 0; e < endpoints.size(); ++e)
      if (TplApplies(set.templates[t], endpoints[e])) pairs.emplace_back(t, e);
  std::vector<TplResult> results(pairs.size());
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < std::min(kTplWorkers, pairs.size()); ++w) {
    workers.emplace_back([&] {
      for (std::size_t i = next++; i < pairs.size(); i = next++) {
        const Endpoint& e = endpoints[pairs[i].second];
        TplRunner runner(e, limits, rate);
        results[i] = runner.Run(set.templates[pairs[i].first]);
      }
    });
  }
  for (auto& w : workers) w.join();

  std::size_t requests = 0, errors = 0, matched = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto& r = results[i];
    requests += r.requests;
    errors += r.errors;
    if (!r.match) continue;
    ++matched;
    const Template& t = set.templates[pairs[i].first];
    const Endpoint& e = endpoints[pairs[i].second];
    nlohmann::json v = *r.match;
    v.update({{"template", t.id},
              {"name", t.name},
              {"description", t.description},
              {"file", t.file},
              {"line", t.line},
              {"address", e.address},
              {"port", e.port},
              {"transport", e.transport},
              {"service", e.service},
              {"protocol", t.request.protocol},
              {"decides", t.decides},
              {"informs", t.informs},
              {"severity", SeverityName(t.severity)}});
    const std::string ex = fmt::format("{} -> {} {}", v["request"].get<std::string>(),
                                       v["status"].get<int>(), v["excerpt"].get<std::string>());
    a.facts.Add(facts::kTemplateMatch, v, LiveEvidence(input, e.Locator(), ex), "network");
  }
  std::size_t tcp = 0;
  for (const auto& e : endpoints) tcp += e.transport == "tcp" ? 1 : 0;
  a.facts.Add(facts::kTemplateScan,
              {{"input", input},
               {"templates", set.templates.size()},
               {"endpoints", tcp},
               {"requests", requests},
               {"matched", matched},
               {"errors", errors}},
              LiveEvidence(input, input,
                           fmt::format("{} templates, {} requests, {} matched",
                                       set.templates.size(), requests, matched)),
              "network");
}

}  // namespace iotcop::network
