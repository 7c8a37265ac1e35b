// File: protocols/dns.cc
// DNS names, messages and A/AAAA answers (see dns.h).
#include "protocols/dns.h"

#include <algorithm>
#include <cstring>

namespace iotcop::protocols {

Result<std::string> ReadDnsName(ByteView msg, ByteReader& r) {
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

std::optional<DnsMessage> ReadDnsMessage(ByteView msg, std::size_t max_records) {
  ByteReader r(msg);
  auto id = r.Read<std::uint16_t>(Endian::kBig);
  auto flags = r.Read<std::uint16_t>(Endian::kBig);
  if (!id || !flags) return std::nullopt;
  DnsMessage m;
  m.id = *id;
  m.flags = *flags;
  for (auto& c : m.counts) {
    auto n = r.Read<std::uint16_t>(Endian::kBig);
    if (!n) {
      std::fill(std::begin(m.counts), std::end(m.counts), 0);
      return m;
    }
    c = *n;
  }
  for (int i = 0; i < std::min<int>(m.counts[0], 8); ++i) {
    auto n = ReadDnsName(msg, r);
    if (!n || !r.Skip(4)) return m;  // type, class
    m.questions.push_back(std::move(*n));
  }
  std::size_t left[3] = {m.counts[1], m.counts[2], m.counts[3]};
  for (int section = 1; section <= 3; ++section) {
    for (; left[section - 1] > 0 && m.records.size() < max_records; --left[section - 1]) {
      DnsRecord rec;
      rec.section = section;
      auto name = ReadDnsName(msg, r);
      auto type = name ? r.Read<std::uint16_t>(Endian::kBig) : Result<std::uint16_t>(name.error());
      if (!type || !r.Skip(6)) return m;  // class, TTL
      auto rdlen = r.Read<std::uint16_t>(Endian::kBig);
      if (!rdlen) return m;
      rec.rdata_offset = r.pos();
      auto rdata = r.Bytes(*rdlen);
      if (!rdata) return m;
      rec.name = std::move(*name);
      rec.type = *type;
      rec.rdata = *rdata;
      m.records.push_back(std::move(rec));
    }
  }
  return m;
}

std::vector<DnsAnswer> ParseDnsResponse(ByteView msg) {
  std::vector<DnsAnswer> out;
  const auto m = ReadDnsMessage(msg);
  if (!m || !m->response() || m->counts[0] == 0 || m->questions.empty()) return out;
  for (const auto& rec : m->records) {
    if (rec.section != 1) break;
    DnsAnswer a;
    a.name = m->questions.front();
    if (rec.type == 1 && rec.rdata.size() == 4) {
      a.address.version = 4;
      std::memcpy(a.address.bytes.data(), rec.rdata.data(), 4);
      out.push_back(a);
    } else if (rec.type == 28 && rec.rdata.size() == 16) {
      a.address.version = 6;
      std::memcpy(a.address.bytes.data(), rec.rdata.data(), 16);
      out.push_back(a);
    }
  }
  return out;
}

}  // namespace iotcop::protocols
