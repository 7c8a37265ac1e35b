// File: protocols/coap.cc
// CoAP (RFC 7252) messages in UDP datagrams: type, code, the Uri-Path/Uri-Query options joined
// into a URI, and the payload. Option deltas and lengths (with their 13/14 extensions) are checked
// against the datagram; anything that does not fit is not CoAP.
#include "protocols/coap.h"

namespace iotcop::protocols {
namespace {

Result<std::uint32_t> CoapExtended(ByteReader& r, std::uint32_t nibble) {
  if (nibble < 13) return nibble;
  if (nibble == 13) {
    auto b = r.Read<std::uint8_t>();
    if (!b) return b.error();
    return 13u + *b;
  }
  if (nibble == 14) {
    auto b = r.Read<std::uint16_t>(Endian::kBig);
    if (!b) return b.error();
    return 269u + *b;
  }
  return MakeError(Errc::kCorrupt, "CoAP option nibble 15");
}

}  // namespace

std::optional<CoapMessage> ParseCoap(ByteView d) {
  ByteReader r(d);
  auto first = r.Read<std::uint8_t>();
  auto code = r.Read<std::uint8_t>();
  if (!first || !code || !r.Skip(2)) return std::nullopt;
  if ((*first >> 6) != 1) return std::nullopt;  // version 1
  const std::uint8_t tkl = *first & 0x0f;
  if (tkl > 8 || !r.Skip(tkl)) return std::nullopt;
  const int cls = *code >> 5;
  if (cls != 0 && cls != 2 && cls != 4 && cls != 5) return std::nullopt;
  CoapMessage m;
  m.type = (*first >> 4) & 3;
  m.code = *code;
  std::uint32_t number = 0;
  for (int i = 0; i < 64 && r.remaining() > 0; ++i) {
    auto b = r.Read<std::uint8_t>();
    if (*b == 0xff) {  // payload marker
      auto rest = r.Bytes(r.remaining());
      if (rest->empty()) return std::nullopt;
      m.payload = std::string(AsString(*rest).substr(0, 4096));
      return m;
    }
    auto delta = CoapExtended(r, *b >> 4);
    auto len = delta ? CoapExtended(r, *b & 0x0f) : delta;
    if (!delta || !len) return std::nullopt;
    number += *delta;
    auto value = r.Bytes(*len);
    if (!value) return std::nullopt;
    if ((number == 11 || number == 15) && m.uri.size() < 1024) {  // Uri-Path, Uri-Query
      m.uri += (number == 11 ? "/" : (m.uri.find('?') == std::string::npos ? "?" : "&"));
      m.uri += AsString(*value);
    }
  }
  return m;
}

}  // namespace iotcop::protocols
