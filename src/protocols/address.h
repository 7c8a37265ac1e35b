// File: protocols/address.h
// IP addresses, once for the live probes (network/) and the captures (traffic/): IPv4 and IPv6
// text <-> bytes, the forms URLs, Host headers and evidence write ("[::1]", "[::1]:443"), and
// whether an address is private. Making sockets of them stays in network/socket.h.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace iotcop::protocols {

struct Address {
  std::uint8_t version = 0;  // 4 or 6
  std::array<std::uint8_t, 16> bytes{};
  auto operator<=>(const Address&) const = default;
};

// "192.0.2.1" or "2001:db8::1" (no brackets, no zone, no port); false (and `out` cleared) for
// anything else.
bool ParseAddress(std::string_view text, Address& out);
// A dotted quad as its 32 bits in network order (in_addr.s_addr); false if not one.
bool ParseIpv4(std::string_view text, std::uint32_t& out);
// "192.0.2.1", "2001:db8::1".
std::string ToString(const Address& a);
// RFC 1918, loopback, link-local, CGNAT (100.64/10), IPv6 ULA and link-local.
bool IsPrivate(const Address& a);

// The address as URLs, Host headers and evidence write it: "[::1]" for IPv6, else unchanged.
std::string UrlHost(std::string_view address);
// "127.0.0.5:23", "[::1]:23".
std::string HostPort(std::string_view address, std::uint16_t port);
std::string HostPort(const Address& a, std::uint16_t port);

}  // namespace iotcop::protocols
