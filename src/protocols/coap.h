// File: protocols/coap.h
// CoAP (RFC 7252) messages in UDP datagrams: type, code, the Uri-Path/Uri-Query options joined
// into a URI, and the payload. Read by the capture analysis and by the live CoAP probe
// (network/udp/coap.cc).
#pragma once

#include <optional>
#include <string>

#include "core/bytes.h"

namespace iotcop::protocols {

struct CoapMessage {
  int type = 0;  // 0 CON, 1 NON, 2 ACK, 3 RST
  int code = 0;  // class * 32 + detail (1 GET, 2 POST, 3 PUT...)
  std::string uri;
  std::string payload;
};
// Option deltas and lengths (with their 13/14 extensions) are checked against the datagram; at
// most 64 options, a URI of about 1 KiB and 4 KiB of payload are kept; what does not fit is not
// CoAP (nullopt).
std::optional<CoapMessage> ParseCoap(ByteView datagram);

}  // namespace iotcop::protocols
