// File: network/intercept/intercept.cc
#include "network/intercept/intercept.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <thread>

#include "core/fact_kinds.h"
#include "network/intercept/forgery.h"
#include "network/intercept/rules.h"
#include "protocols/address.h"
#include "protocols/tls.h"

namespace iotcop::network {
namespace {

using Clock = std::chrono::steady_clock;
using intercept::ForgeryFactory;

constexpr const char* kInterceptCollector = "interception";
constexpr std::uint32_t kOwnMark = 0x10c0c0;  // SO_MARK of iotcop's upstream sockets
constexpr int kSoOriginalDst = 80;            // SO_ORIGINAL_DST and IP6T_SO_ORIGINAL_DST
constexpr std::size_t kMaxHello = 16384;
constexpr std::size_t kMaxConnections = 128;
constexpr std::uint16_t kDryRunPort = 8443;  // stands for the port chosen at run time

std::atomic<bool> g_stop{false};
extern "C" void InterceptOnSignal(int) { g_stop = true; }

// SIGINT and SIGTERM end the interception (and so remove the rules) instead of the process.
class SignalGuard {
 public:
  SignalGuard() {
    g_stop = false;
    struct sigaction sa {};
    sa.sa_handler = InterceptOnSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
    // A device that hangs up while OpenSSL writes to it must not end the process.
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old_pipe_);
  }
  ~SignalGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGPIPE, &old_pipe_, nullptr);
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  struct sigaction old_pipe_ {};
};

bool WaitInterceptable(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || g_stop) return false;
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 200)));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
  }
}

// Where the device meant to connect: the address the nat redirect replaced.
bool OriginalDestination(int fd, std::string& address, std::uint16_t& port) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockopt(fd, SOL_IP, kSoOriginalDst, &ss, &len) == 0 && ss.ss_family == AF_INET) {
    port = ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
  } else {
    len = sizeof ss;
    if (::getsockopt(fd, SOL_IPV6, kSoOriginalDst, &ss, &len) != 0 || ss.ss_family != AF_INET6)
      return false;
    port = ntohs(reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port);
  }
  address = AddressText(ss);
  return true;
}

// Peeks at the connection's first bytes (they stay in the socket for a relay) until a whole
// ClientHello is there, the bytes are not TLS, or the client stays silent (server-first
// protocols: relayed).
protocols::TlsInfo PeekHello(int fd, Clock::time_point deadline, bool& silent) {
  protocols::TlsInfo info;
  std::string buf(kMaxHello, '\0');
  silent = true;
  while (WaitInterceptable(fd, POLLIN, deadline)) {
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_PEEK);
    if (n <= 0) break;
    silent = false;
    const std::string_view got(buf.data(), static_cast<std::size_t>(n));
    if (!protocols::LooksLikeTls(got)) break;
    info = {};
    protocols::ParseTlsClient(got, info);
    if (info.client_hello || static_cast<std::size_t>(n) == buf.size()) break;
    // wait for more of the hello to arrive
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return info;
}

// Relays both directions until each side has closed, nothing moves for `idle`, or the
// interception ends. The upstream socket carries iotcop's mark so that the rules let it pass.
void Relay(int client, const std::string& address, std::uint16_t port,
           std::chrono::milliseconds idle) {
  SocketAddress sa;
  if (!ParseAddress(address, port, sa)) return;
  TcpChannel up(::socket(sa.family(), SOCK_STREAM | SOCK_CLOEXEC, 0), "");
  if (up.fd() < 0) return;
  const std::uint32_t mark = kOwnMark;
  ::setsockopt(up.fd(), SOL_SOCKET, SO_MARK, &mark, sizeof mark);
  if (::connect(up.fd(), sa.get(), sa.size) != 0) return;
  char buf[16384];
  bool open[2] = {true, true};
  const int fds[2] = {client, up.fd()};
  auto last = Clock::now();
  while ((open[0] || open[1]) && !g_stop && Clock::now() - last < idle) {
    pollfd p[2] = {{fds[0], static_cast<short>(open[0] ? POLLIN : 0), 0},
                   {fds[1], static_cast<short>(open[1] ? POLLIN : 0), 0}};
    if (::poll(p, 2, 200) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::recv(fds[i], buf, sizeof buf, 0);
      if (n <= 0) {
        open[i] = false;
        ::shutdown(fds[1 - i], SHUT_WR);
        continue;
      }
      last = Clock::now();
      for (ssize_t off = 0; off < n;) {
        const ssize_t w =
            ::send(fds[1 - i], buf + off, static_cast<std::size_t>(n - off), MSG_NOSIGNAL);
        if (w <= 0) {
          open[0] = open[1] = false;
          break;
        }
        off += w;
      }
    }
  }
}

// What the device sent once it trusted the forgery, described so that a reader knows what it
// was without the bytes themselves (a request may carry credentials or tokens).
std::string DescribeFirstBytes(std::string_view d) {
  for (const char* m : {"GET ", "POST ", "PUT ", "HEAD ", "PATCH ", "DELETE ", "OPTIONS "}) {
    if (d.substr(0, std::strlen(m)) != m) continue;
    std::string_view target = d.substr(std::strlen(m));
    target = target.substr(0, target.find_first_of(" ?\r\n"));
    return fmt::format("HTTP {}{} ({} bytes; query and headers not shown)", m,
                       BoundExcerpt(target, 120), d.size());
  }
  if (!d.empty() && static_cast<unsigned char>(d[0]) == 0x10)
    return fmt::format("MQTT CONNECT ({} bytes; client id and credentials not shown)", d.size());
  return fmt::format("{} bytes of application data", d.size());
}

struct Counters {
  std::atomic<std::size_t> connections{0}, tls{0}, relayed{0}, forged{0}, active{0};
};

class Interceptor {
 public:
  Interceptor(const InterceptOptions& o, ForgeryFactory& forgeries, Assessment& a,
              std::string input)
      : o_(o), forgeries_(forgeries), a_(a), input_(std::move(input)) {}

  void Handle(TcpChannel client, const std::string& peer) {
    std::string dest;
    std::uint16_t dport = 0;
    if (!OriginalDestination(client.fd(), dest, dport)) return;  // not redirected: ignore
    const auto deadline = Clock::now() + std::chrono::milliseconds(1500);
    bool silent = true;
    protocols::TlsInfo hello = PeekHello(client.fd(), deadline, silent);
    const std::string where = protocols::HostPort(dest, dport);
    std::string forgery;
    if (hello.client_hello) {
      ++counters_.tls;
      std::lock_guard lock(mu_);
      std::size_t& next = series_[where + "|" + hello.sni];
      if (next < forgeries_.Series().size()) forgery = forgeries_.Series()[next++];
    }
    if (forgery.empty()) {
      ++counters_.relayed;
      Relay(client.fd(), dest, dport, std::chrono::milliseconds(o_.io_timeout * 6));
      return;
    }
    ++counters_.forged;
    Forge(client.fd(), peer, dest, dport, hello, forgery);
  }

  Counters& counters() { return counters_; }

 private:
  void Forge(int fd, const std::string& peer, const std::string& dest, std::uint16_t dport,
             const protocols::TlsInfo& hello, const std::string& forgery) {
    const std::string name = hello.sni.empty() ? dest : hello.sni;
    nlohmann::json v = {{"client", peer},     {"destination", dest}, {"port", dport},
                        {"sni", hello.sni},   {"name", name},        {"forgery", forgery},
                        {"outcome", "error"}, {"reason", ""}};
    for (const auto& k : intercept::ForgeryKinds())
      if (forgery == k.name) v["accepting_means"] = k.what;
    auto ctx = forgeries_.Context(forgery, name);
    if (!ctx) {
      v["reason"] = ctx.error().Describe();
      Record(std::move(v));
      return;
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(o_.io_timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((o_.io_timeout.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    SSL* ssl = SSL_new(*ctx);
    if (ssl == nullptr) return;
    std::string alert;
    SSL_set_app_data(ssl, &alert);
    SSL_set_info_callback(ssl, [](const SSL* s, int where, int ret) {
      if ((where & SSL_CB_READ_ALERT) != 0) {
        auto* out = static_cast<std::string*>(SSL_get_app_data(s));
        if (out->empty()) *out = SSL_alert_desc_string_long(ret);
      }
    });
    SSL_set_fd(ssl, fd);
    ERR_clear_error();
    if (SSL_accept(ssl) != 1) {
      char buf[256] = "handshake failed";
      if (const unsigned long e = ERR_peek_last_error(); e != 0)
        ERR_error_string_n(e, buf, sizeof buf);
      v["outcome"] = "refused";
      v["reason"] = alert.empty() ? std::string(buf) : "the client sent the alert " + alert;
    } else {
      v["tls_version"] = SSL_get_version(ssl);
      char buf[512];
      const int n = SSL_read(ssl, buf, sizeof buf);
      if (n > 0) {
        v["outcome"] = "accepted";
        v["sent"] = DescribeFirstBytes(std::string_view(buf, static_cast<std::size_t>(n)));
        v["reason"] = "the handshake completed and the client sent application data";
      } else {
        v["outcome"] = "handshake-only";
        v["reason"] = alert.empty()
                          ? "the handshake completed; the client then sent nothing and closed"
                          : "the handshake completed; then the client sent the alert " + alert;
      }
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    Record(std::move(v));
  }

  void Record(nlohmann::json v) {
    Evidence e;
    e.source = InputKind::kNetwork;
    e.input = input_;
    e.endpoint =
        protocols::HostPort(v["destination"].get<std::string>(), v["port"].get<std::uint16_t>()) +
        "/tcp";
    e.excerpt = fmt::format("forgery {} for {}: {} ({}){}", v["forgery"].get<std::string>(),
                            v["name"].get<std::string>(), v["outcome"].get<std::string>(),
                            v["reason"].get<std::string>(),
                            v.contains("sent") ? "; sent " + v["sent"].get<std::string>() : "");
    std::lock_guard lock(mu_);
    a_.facts.Add(facts::kTlsClientTest, std::move(v), std::move(e), kInterceptCollector);
  }

  const InterceptOptions& o_;
  ForgeryFactory& forgeries_;
  Assessment& a_;
  std::string input_;
  std::mutex mu_;
  std::map<std::string, std::size_t> series_;  // destination|SNI -> next forgery
  Counters counters_;
};

intercept::RuleSpec SpecOf(const InterceptOptions& o, std::uint16_t port) {
  return {o.mode, o.device, port, kOwnMark, fmt::format("iotcop_intercept_{}", ::getpid())};
}

// The listener: IPv4 loopback in local mode (the output hook redirects there), every address of
// both families otherwise (prerouting redirects to the incoming interface's address).
Result<TcpChannel> Listen(const InterceptOptions& o, std::uint16_t& port) {
  const bool local = o.mode == "local";
  TcpChannel s(::socket(local ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), "");
  if (s.fd() < 0) return MakeError(Errc::kIo, "socket failed", "interception listener");
  int one = 1, zero = 0;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (!local) ::setsockopt(s.fd(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  SocketAddress sa;
  ParseAddress(local ? "127.0.0.1" : "::", 0, sa);
  if (::bind(s.fd(), sa.get(), sa.size) != 0 || ::listen(s.fd(), 64) != 0)
    return MakeError(Errc::kIo, fmt::format("cannot listen: {}", std::strerror(errno)),
                     "interception listener");
  socklen_t len = sizeof sa.storage;
  ::getsockname(s.fd(), sa.get(), &len);
  port = ntohs(sa.family() == AF_INET ? reinterpret_cast<sockaddr_in*>(sa.get())->sin_port
                                      : reinterpret_cast<sockaddr_in6*>(sa.get())->sin6_port);
  return s;
}

}  // namespace

Result<std::string> InterceptionRulesText(const InterceptOptions& o) {
  return intercept::RulesText(SpecOf(o, kDryRunPort));
}

void RunInterception(const InterceptOptions& o, Assessment& a, Progress& progress) {
  const std::string input =
      "intercept:" + o.mode + (o.device.empty() ? std::string() : ":" + o.device);
  InputRecord rec;
  rec.kind = InputKind::kNetwork;
  rec.name = input;
  auto fail = [&](const Error& e) {
    rec.status = "failed";
    a.inputs.push_back(rec);
    a.problems.push_back({"error", "intercept", input, "", std::nullopt, e.Describe()});
  };
  auto forgeries = ForgeryFactory::Create(o.other_name_pem);
  if (!forgeries) return fail(forgeries.error());
  std::uint16_t port = 0;
  auto listener = Listen(o, port);
  if (!listener) return fail(listener.error());
  const intercept::RuleSpec spec = SpecOf(o, port);
  SignalGuard signals;
  auto rules = intercept::Ruleset::Apply(spec);
  if (!rules) return fail(rules.error());

  Interceptor icpt(o, *forgeries, a, input);
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  const auto end = start + o.duration;
  Counters& c = icpt.counters();
  while (!g_stop && Clock::now() < end) {
    progress.Set(
        "intercepting",
        fmt::format("{} connections, {} TLS, {} forged, {}s left", c.connections.load(),
                    c.tls.load(), c.forged.load(),
                    std::chrono::duration_cast<std::chrono::seconds>(end - Clock::now()).count()));
    if (!WaitInterceptable(listener->fd(), POLLIN,
                           std::min(end, Clock::now() + std::chrono::seconds(1))))
      continue;
    sockaddr_storage peer{};
    socklen_t plen = sizeof peer;
    TcpChannel client(
        ::accept4(listener->fd(), reinterpret_cast<sockaddr*>(&peer), &plen, SOCK_CLOEXEC), "");
    if (client.fd() < 0) continue;
    ++c.connections;
    if (c.active >= kMaxConnections) continue;  // closed: the device retries or gives up
    ++c.active;
    workers.emplace_back([&icpt, &c, fd = std::move(client), who = AddressText(peer)]() mutable {
      icpt.Handle(std::move(fd), who);
      --c.active;
    });
  }
  const bool interrupted = g_stop.load();
  g_stop = true;  // ends the relays
  for (auto& t : workers) t.join();
  g_stop = false;
  const auto seconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count() / 1000.0;
  a.inputs.push_back(rec);
  a.extras["interception"] = {{"input", input},
                              {"mode", o.mode},
                              {"device", o.device},
                              {"table", spec.table},
                              {"listener_port", port},
                              {"seconds", seconds},
                              {"interrupted", interrupted},
                              {"connections", c.connections.load()},
                              {"tls", c.tls.load()},
                              {"forged", c.forged.load()},
                              {"relayed", c.relayed.load()},
                              {"series", forgeries->Series()}};
  if (c.tls == 0) {
    a.problems.push_back(
        {"warning", "intercept", input, "", std::nullopt,
         fmt::format("no TLS connection of the device was seen in {:.0f} s: make it connect "
                     "(reboot, check for updates, use its app) during the interception",
                     seconds)});
  }
}

}  // namespace iotcop::network
