// File: traffic/dns.cc
// DNS responses (RFC 1035) in UDP payloads: the question name and the A/AAAA addresses of the
// answer section, so a destination address can be named by what the device asked for. Name
// compression pointers are followed at most 32 times and only backwards; counts are bounded.
#include <cstring>

#include "traffic/parsers.h"

namespace iotcop::traffic {
namespace {

// Reads a (possibly compressed) name at r's position; advances r past it.
Result<std::string> Name(ByteView msg, ByteReader& r) {
  std::string out;
  std::uint64_t pos = r.pos();
  bool jumped = false;
  for (int hops = 0; hops < 32;) {
    if (pos >= msg.size()) return MakeError(Errc::kTruncated, "DNS name");
    const std::uint8_t len = msg[pos];
    if (len == 0) {
      if (!jumped && !r.Seek(pos + 1)) return MakeError(Errc::kTruncated, "DNS name");
      return out;
    }
    if ((len & 0xc0) == 0xc0) {
      if (pos + 1 >= msg.size()) return MakeError(Errc::kTruncated, "DNS pointer");
      const std::uint64_t target = (static_cast<std::uint64_t>(len & 0x3f) << 8) | msg[pos + 1];
      if (!jumped && !r.Seek(pos + 2)) return MakeError(Errc::kTruncated, "DNS pointer");
      if (target >= pos) return MakeError(Errc::kCorrupt, "DNS pointer forwards");
      jumped = true;
      pos = target;
      ++hops;
      continue;
    }
    if ((len & 0xc0) != 0) return MakeError(Errc::kCorrupt, "DNS label type");
    auto label = Slice(msg, pos + 1, len);
    if (!label) return MakeError(Errc::kTruncated, "DNS label");
    if (!out.empty()) out.push_back('.');
    out.append(AsString(*label));
    if (out.size() > 255) return MakeError(Errc::kCorrupt, "DNS name too long");
    pos += 1 + len;
  }
  return MakeError(Errc::kCorrupt, "DNS pointer loop");
}

}  // namespace

Result<std::string> ReadDnsName(ByteView msg, ByteReader& r) { return Name(msg, r); }

std::vector<DnsAnswer> ParseDnsResponse(ByteView msg) {
  std::vector<DnsAnswer> out;
  ByteReader r(msg);
  auto id = r.Read<std::uint16_t>(Endian::kBig);
  auto flags = r.Read<std::uint16_t>(Endian::kBig);
  auto qd = r.Read<std::uint16_t>(Endian::kBig);
  auto an = r.Read<std::uint16_t>(Endian::kBig);
  if (!id || !flags || !qd || !an || !r.Skip(4)) return out;
  if (!(*flags & 0x8000) || *qd == 0) return out;  // a query, or no question
  std::string question;
  for (int i = 0; i < std::min<int>(*qd, 8); ++i) {
    auto n = Name(msg, r);
    if (!n || !r.Skip(4)) return out;
    if (i == 0) question = *n;
  }
  for (int i = 0; i < std::min<int>(*an, 64); ++i) {
    auto n = Name(msg, r);
    auto type = n ? r.Read<std::uint16_t>(Endian::kBig) : Result<std::uint16_t>(n.error());
    if (!type || !r.Skip(6)) return out;  // class, TTL
    auto rdlen = r.Read<std::uint16_t>(Endian::kBig);
    if (!rdlen) return out;
    auto rdata = r.Bytes(*rdlen);
    if (!rdata) return out;
    DnsAnswer a;
    a.name = question;
    if (*type == 1 && rdata->size() == 4) {
      a.address.version = 4;
      std::memcpy(a.address.bytes.data(), rdata->data(), 4);
      out.push_back(a);
    } else if (*type == 28 && rdata->size() == 16) {
      a.address.version = 6;
      std::memcpy(a.address.bytes.data(), rdata->data(), 16);
      out.push_back(a);
    }
  }
  return out;
}

}  // namespace iotcop::traffic
