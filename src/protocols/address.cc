// File: protocols/address.cc
// IP address text and bytes (see address.h).
#include "protocols/address.h"

#include <arpa/inet.h>

#include <cstring>

#include <fmt/format.h>

namespace iotcop::protocols {

bool ParseAddress(std::string_view text, Address& out) {
  out = Address{};
  const std::string t(text);
  if (::inet_pton(AF_INET, t.c_str(), out.bytes.data()) == 1) {
    out.version = 4;
    return true;
  }
  if (::inet_pton(AF_INET6, t.c_str(), out.bytes.data()) == 1) {
    out.version = 6;
    return true;
  }
  out = Address{};
  return false;
}

bool ParseIpv4(std::string_view text, std::uint32_t& out) {
  Address a;
  if (!ParseAddress(text, a) || a.version != 4) return false;
  std::memcpy(&out, a.bytes.data(), 4);
  return true;
}

std::string ToString(const Address& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(a.version == 6 ? AF_INET6 : AF_INET, a.bytes.data(), buf, sizeof buf);
  return buf;
}

bool IsPrivate(const Address& a) {
  const auto& b = a.bytes;
  if (a.version == 4) {
    return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
           (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
           (b[0] == 100 && (b[1] & 0xc0) == 64);
  }
  static constexpr std::array<std::uint8_t, 16> kLoopback{0, 0, 0, 0, 0, 0, 0, 0,
                                                          0, 0, 0, 0, 0, 0, 0, 1};
  return b == kLoopback || (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

std::string UrlHost(std::string_view address) {
  return address.find(':') == std::string_view::npos ? std::string(address)
                                                     : "[" + std::string(address) + "]";
}

std::string HostPort(std::string_view address, std::uint16_t port) {
  return fmt::format("{}:{}", UrlHost(address), port);
}

std::string HostPort(const Address& a, std::uint16_t port) { return HostPort(ToString(a), port); }

}  // namespace iotcop::protocols
