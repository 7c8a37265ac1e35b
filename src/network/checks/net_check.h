// File: network/checks/net_check.h
// What the live-device checks share beyond core/check_util.h.
#pragma once

#include <cstdint>
#include <string>

#include "core/check_util.h"
#include "network/socket.h"
#include "protocols/address.h"

namespace iotcop::network {

// "address:port" of a network fact (live service, TLS or SSH endpoint); "[::1]:443" for IPv6.
inline std::string AddressPort(const Fact& f) {
  return protocols::HostPort(checkutil::Str(f, "address"), f.value.value("port", std::uint16_t{0}));
}

}  // namespace iotcop::network
