// File: network/targets.cc
// --host and --ports parsing (see targets.h).
#include "network/targets.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>

#include "network/socket.h"
#include "protocols/address.h"

namespace iotcop::network {

namespace {

std::string Dotted(std::uint32_t host_order) {
  return fmt::format("{}.{}.{}.{}", host_order >> 24, (host_order >> 16) & 255,
                     (host_order >> 8) & 255, host_order & 255);
}

bool ToInt(std::string_view s, unsigned& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<std::vector<std::string>> ResolveTarget(const std::string& host, bool allow_wide) {
  if (host.empty()) return MakeError(Errc::kInvalidArgument, "empty host", "--host");
  // An IPv6 address, bare or in brackets ("::1", "[fe80::1]"): one host, never a block.
  if (host.find(':') != std::string::npos) {
    std::string bare = host;
    if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']')
      bare = bare.substr(1, bare.size() - 2);
    SocketAddress sa;
    if (bare.find('/') != std::string::npos || !ParseAddress(bare, 0, sa) ||
        sa.family() != AF_INET6)
      return MakeError(Errc::kInvalidArgument,
                       "not an IPv6 address (IPv6 targets are single addresses, no blocks)", host);
    return std::vector<std::string>{AddressText(sa.storage)};
  }
  const auto slash = host.find('/');
  if (slash != std::string::npos) {
    std::uint32_t net = 0;
    unsigned bits = 0;
    if (!protocols::ParseIpv4(host.substr(0, slash), net) || !ToInt(host.substr(slash + 1), bits) ||
        bits > 32)
      return MakeError(Errc::kInvalidArgument, "not an IPv4 CIDR block (a.b.c.d/n)", host);
    if (bits < 24 && !allow_wide)
      return MakeError(Errc::kInvalidArgument,
                       fmt::format("/{} is {} addresses, wider than /24: pass --allow-wide to "
                                   "scan it",
                                   bits, 1ull << (32 - bits)),
                       host);
    if (bits < 16)
      return MakeError(Errc::kInvalidArgument, "wider than /16 is never scanned", host);
    const std::uint32_t base = ntohl(net) & (bits == 0 ? 0 : ~0u << (32 - bits));
    const std::uint32_t count = bits == 32 ? 1 : 1u << (32 - bits);
    std::vector<std::string> out;
    for (std::uint32_t i = 0; i < count; ++i) {
      // The network and broadcast addresses of blocks of 4 and more are not hosts.
      if (count >= 4 && (i == 0 || i == count - 1)) continue;
      out.push_back(Dotted(base + i));
    }
    return out;
  }
  std::uint32_t a = 0;
  if (protocols::ParseIpv4(host, a)) return std::vector<std::string>{host};
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res); rc != 0 || !res)
    return MakeError(Errc::kInvalidArgument,
                     fmt::format("cannot resolve: {}", rc ? gai_strerror(rc) : "no address"), host);
  const auto* sin = reinterpret_cast<const sockaddr_in*>(res->ai_addr);
  const std::string addr = Dotted(ntohl(sin->sin_addr.s_addr));
  ::freeaddrinfo(res);
  return std::vector<std::string>{addr};
}

Result<std::vector<std::uint16_t>> ParsePorts(const std::string& spec,
                                              const std::vector<std::uint16_t>& top) {
  std::set<std::uint16_t> ports;
  if (spec == "all") {
    for (unsigned p = 1; p <= 65535; ++p) ports.insert(static_cast<std::uint16_t>(p));
    return std::vector<std::uint16_t>(ports.begin(), ports.end());
  }
  std::string_view rest = spec;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view part = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (part == "top") {
      ports.insert(top.begin(), top.end());
      continue;
    }
    const auto dash = part.find('-');
    unsigned lo = 0, hi = 0;
    const bool ok = dash == std::string_view::npos
                        ? ToInt(part, lo) && (hi = lo, true)
                        : ToInt(part.substr(0, dash), lo) && ToInt(part.substr(dash + 1), hi);
    if (!ok || lo == 0 || hi > 65535 || lo > hi)
      return MakeError(
          Errc::kInvalidArgument,
          fmt::format("'{}': expected all, top, a port 1-65535 or a range lo-hi", part), "--ports");
    for (unsigned p = lo; p <= hi; ++p) ports.insert(static_cast<std::uint16_t>(p));
  }
  if (ports.empty()) return MakeError(Errc::kInvalidArgument, "no ports", "--ports");
  return std::vector<std::uint16_t>(ports.begin(), ports.end());
}

}  // namespace iotcop::network
