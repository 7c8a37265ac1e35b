// File: network/identify.cc
// One open port: banner, probes, TLS, SSH (see identify.h).
#include "network/identify.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include <fmt/format.h>

#include "network/http.h"
#include "network/ssh.h"
#include "network/tls.h"
#include "protocols/address.h"

namespace iotcop::network {

namespace {

bool Hinted(const Probe& p, std::uint16_t port) {
  return std::find(p.ports.begin(), p.ports.end(), port) != p.ports.end();
}

std::optional<Identification> MatchAny(const std::vector<const Probe*>& probes,
                                       std::string_view s) {
  for (const Probe* p : probes)
    if (auto id = MatchProbe(*p, s)) return id;
  return std::nullopt;
}

// One probe on a fresh connection (TLS when the probe says so): the answer, "" if none.
std::string RunProbe(const Probe& p, const std::string& address, std::uint16_t port,
                     const Limits& limits, RateLimiter& rate) {
  std::unique_ptr<Channel> ch;
  if (p.tls) {
    auto t = ConnectTls(address, port, limits, rate);
    if (!t) return {};
    ch = std::move(*t);
  } else {
    auto t = ConnectTcp(address, port, limits, rate);
    if (!t) return {};
    ch = std::make_unique<TcpChannel>(std::move(*t));
  }
  const Deadline deadline = Clock::now() + limits.io_timeout;
  if (!p.send.empty() && !ch->Send(p.send, deadline)) return {};
  return ReadResponse(*ch, deadline, limits.max_bytes,
                      [&p](std::string_view s) { return MatchProbe(p, s).has_value(); });
}

bool HasDigit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

PortReport ProbePort(const std::string& input, const std::string& address, std::uint16_t port,
                     const std::vector<Probe>& probes, const Limits& limits, RateLimiter& rate) {
  PortReport r;
  r.endpoint.input = input;
  r.endpoint.address = address;
  r.endpoint.port = port;
  r.service = {{"input", input},
               {"address", address},
               {"port", port},
               {"transport", "tcp"},
               {"service", "unknown"},
               {"product", ""},
               {"version", ""},
               {"tls", false},
               {"banner", ""},
               {"probe", ""},
               {"cleartext", false},
               {"tried", nlohmann::json::array()},
               {"disclosure", nlohmann::json::array()}};
  r.tls = nullptr;
  r.ssh = nullptr;
  const auto start = Clock::now();
  const auto budget = 4 * limits.io_timeout;

  std::vector<const Probe*> banner, plain, tls;
  for (const auto& p : probes) {
    if (p.transport != "tcp") continue;
    (p.send.empty() ? banner : p.tls ? tls : plain).push_back(&p);
  }
  auto hinted_first = [port](std::vector<const Probe*>& v) {
    std::stable_partition(v.begin(), v.end(), [port](const Probe* p) { return Hinted(*p, port); });
  };
  hinted_first(plain);
  hinted_first(tls);
  const bool tls_first =
      std::any_of(tls.begin(), tls.end(), [port](const Probe* p) { return Hinted(*p, port); });

  std::optional<Identification> id;
  std::string answer;
  // 1. Does it speak first?
  {
    auto ch = ConnectTcp(address, port, limits, rate);
    if (!ch) {
      r.problems.push_back(ch.error().Describe());
      return r;
    }
    r.service["tried"].push_back("banner");
    const auto wait =
        std::min<std::chrono::milliseconds>(limits.io_timeout, std::chrono::milliseconds(1500));
    answer = ReadResponse(*ch, Clock::now() + wait, limits.max_bytes,
                          [&](std::string_view s) { return MatchAny(banner, s).has_value(); });
    if (!answer.empty()) id = MatchAny(banner, answer);
  }
  // 2. Silent: ask, plain and in TLS, hinted probes first.
  bool tls_tried = false, speaks_tls = false;
  auto try_tls = [&]() {
    tls_tried = true;
    auto t = ConnectTls(address, port, limits, rate);
    speaks_tls = t.ok();
    if (!speaks_tls) return;
    for (const Probe* p : tls) {
      if (Clock::now() - start > budget) break;
      r.service["tried"].push_back(p->name);
      answer = RunProbe(*p, address, port, limits, rate);
      if ((id = MatchProbe(*p, answer))) return;
    }
  };
  if (answer.empty()) {
    if (tls_first) try_tls();
    for (const Probe* p : plain) {
      if (id || Clock::now() - start > budget) break;
      if (speaks_tls) break;  // a TLS listener answers plain probes with alerts at best
      r.service["tried"].push_back(p->name);
      const std::string a = RunProbe(*p, address, port, limits, rate);
      if ((id = MatchProbe(*p, a)))
        answer = a;
      else if (answer.empty())
        answer = a;
    }
    if (!id && !tls_tried && Clock::now() - start <= budget) try_tls();
  }
  if (speaks_tls) r.service["tls"] = true;
  r.raw = answer.substr(0, kMatchWindow);
  // SSH: the identification line only (the binary KEXINIT follows it at once).
  const bool ssh = id && id->service == "ssh";
  r.service["banner"] = Printable(ssh ? answer.substr(0, answer.find('\n') + 1) : answer);
  if (!id && speaks_tls) {
    id = Identification{"tls", "tls", "", "", nlohmann::json::object(), false};
  }
  if (Clock::now() - start > budget && !id)
    r.problems.push_back(
        fmt::format("{}/tcp: not identified within {} ms", protocols::HostPort(address, port),
                    std::chrono::duration_cast<std::chrono::milliseconds>(budget).count()));
  if (id) {
    r.service["service"] = id->service;
    r.service["product"] = id->product;
    r.service["version"] = id->version;
    r.service["probe"] = id->probe;
    r.service["cleartext"] = id->cleartext;
    for (auto& [k, v] : id->attrs.items()) r.service[k] = v;
  }
  const std::string service = r.service["service"].get<std::string>();
  r.endpoint.service = service;
  r.endpoint.tls = speaks_tls;
  r.endpoint.banner = r.service["banner"].get<std::string>();

  // What it tells anyone who asks.
  if (id && !id->version.empty() && service != "ssh")  // SSH must send its software version
    r.service["disclosure"].push_back(
        fmt::format("{} {} in the {} banner", id->product, id->version, service));
  if (service == "http" || service == "https") {
    if (auto h = ParseHttpResponse(answer, r.endpoint.Locator())) {
      r.service["status"] = h->status;
      r.service["server"] = Printable(h->Header("server"));
      const std::string loc = h->Header("location");
      r.service["redirect_https"] =
          h->status >= 300 && h->status < 400 && loc.size() > 8 &&
          std::equal(loc.begin(), loc.begin() + 8, "https://", [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == b;
          });
      const std::string server = h->Header("server");
      if (!server.empty() && HasDigit(server) && (!id || id->version.empty()))
        r.service["disclosure"].push_back("Server: " + Printable(server));
    }
  }
  // Deeper probes.
  if (speaks_tls) {
    // The name asked for, when the user gave one (not an address or a range).
    protocols::Address parsed;
    const bool named =
        input.find('/') == std::string::npos && !protocols::ParseAddress(input, parsed);
    TlsReport t = AssessTls(address, port, limits, rate, named ? input : std::string());
    t.value["service"] = service;
    r.tls = std::move(t.value);
  }
  if (service == "ssh") {
    auto s = AssessSsh(address, port, limits, rate);
    if (s)
      r.ssh = std::move(*s);
    else
      r.problems.push_back(s.error().Describe());
  }
  return r;
}

}  // namespace iotcop::network
