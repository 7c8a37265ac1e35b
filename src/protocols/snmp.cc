// File: protocols/snmp.cc
// SNMP GetRequest and GetResponse for sysDescr.0 (see snmp.h): BER with short or long lengths,
// every length checked against what is left.
#include "protocols/snmp.h"

#include "core/bytes.h"

namespace iotcop::protocols {
namespace {

// BER TLV with a short or one/two-byte long length.
std::string BerTlv(std::uint8_t tag, std::string_view v) {
  std::string out(1, static_cast<char>(tag));
  if (v.size() < 128) {
    out += static_cast<char>(v.size());
  } else if (v.size() < 256) {
    out += '\x81';
    out += static_cast<char>(v.size());
  } else {
    out += '\x82';
    out += static_cast<char>(v.size() >> 8);
    out += static_cast<char>(v.size() & 255);
  }
  out += v;
  return out;
}

constexpr std::string_view kSysDescrOid("\x2b\x06\x01\x02\x01\x01\x01\x00",
                                        8);  // 1.3.6.1.2.1.1.1.0

// Reads one BER TLV header at r; the value's length (bounded by what is left).
Result<std::uint64_t> BerHeader(ByteReader& r, std::uint8_t& tag) {
  auto t = r.Read<std::uint8_t>();
  if (!t) return t.error();
  tag = *t;
  auto l = r.Read<std::uint8_t>();
  if (!l) return l.error();
  std::uint64_t len = *l;
  if (*l & 0x80) {
    const int n = *l & 0x7f;
    if (n == 0 || n > 4) return MakeError(Errc::kCorrupt, "BER length form", "snmp", r.pos());
    len = 0;
    for (int i = 0; i < n; ++i) {
      auto b = r.Read<std::uint8_t>();
      if (!b) return b.error();
      len = (len << 8) | *b;
    }
  }
  if (len > r.remaining())
    return MakeError(Errc::kTruncated, "BER value past the end", "snmp", r.pos());
  return len;
}

}  // namespace

std::string SnmpGetSysDescr(int version, std::string_view community) {
  const std::string varbind = BerTlv(0x30, BerTlv(0x06, kSysDescrOid) + BerTlv(0x05, ""));
  const std::string pdu =
      BerTlv(0xa0, BerTlv(0x02, "\x01") + BerTlv(0x02, std::string_view("\x00", 1)) +
                       BerTlv(0x02, std::string_view("\x00", 1)) + BerTlv(0x30, varbind));
  return BerTlv(0x30, BerTlv(0x02, std::string(1, static_cast<char>(version))) +
                          BerTlv(0x04, community) + pdu);
}

std::string SnmpSysDescr(std::string_view answer) {
  // SEQUENCE { version, community, GetResponse(0xa2) { id, status, index, SEQUENCE { SEQUENCE {
  // OID, value } } } }
  ByteReader r(AsBytes(answer), "snmp");
  std::uint8_t tag = 0;
  auto len = BerHeader(r, tag);
  if (!len || tag != 0x30) return {};
  for (int i = 0; i < 2; ++i) {  // version, community
    auto l = BerHeader(r, tag);
    if (!l || !r.Skip(*l)) return {};
  }
  auto pdu = BerHeader(r, tag);
  if (!pdu || tag != 0xa2) return {};
  for (int i = 0; i < 3; ++i) {
    auto l = BerHeader(r, tag);
    if (!l || tag != 0x02 || !r.Skip(*l)) return {};
  }
  if (auto l = BerHeader(r, tag); !l || tag != 0x30) return {};
  if (auto l = BerHeader(r, tag); !l || tag != 0x30) return {};
  auto oid_len = BerHeader(r, tag);
  if (!oid_len || tag != 0x06) return {};
  auto oid = r.Bytes(*oid_len);
  if (!oid || AsString(*oid) != kSysDescrOid) return {};
  auto vlen = BerHeader(r, tag);
  if (!vlen || tag != 0x04) return {};
  auto v = r.Bytes(*vlen);
  if (!v) return {};
  return std::string(AsString(*v));
}

}  // namespace iotcop::protocols
