// File: tests/support/pcap_writer.cc
// Test captures written with libpcap (tests/support/pcap_writer.h).
#include "support/pcap_writer.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <pcap/pcap.h>

#include <stdexcept>

namespace iotcop::test {
namespace {

void Be16(std::string& s, std::uint16_t v) {
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v & 0xff));
}
void Be24(std::string& s, std::uint32_t v) {
  s.push_back(static_cast<char>((v >> 16) & 0xff));
  Be16(s, static_cast<std::uint16_t>(v & 0xffff));
}
void Be32(std::string& s, std::uint32_t v) {
  Be16(s, static_cast<std::uint16_t>(v >> 16));
  Be16(s, static_cast<std::uint16_t>(v & 0xffff));
}
std::string Addr4(const std::string& a) {
  std::string out(4, '\0');
  if (inet_pton(AF_INET, a.c_str(), out.data()) != 1) throw std::runtime_error("bad address " + a);
  return out;
}

std::string Handshake(std::uint8_t type, const std::string& body) {
  std::string h(1, static_cast<char>(type));
  Be24(h, static_cast<std::uint32_t>(body.size()));
  return h + body;
}
std::string Record(std::uint8_t type, const std::string& body) {
  std::string r(1, static_cast<char>(type));
  Be16(r, 0x0301);
  Be16(r, static_cast<std::uint16_t>(body.size()));
  return r + body;
}

}  // namespace

PcapWriter::PcapWriter(const std::filesystem::path& path, int dlt) : dlt_(dlt) {
  pcap_ = pcap_open_dead(dlt, 262144);
  dumper_ = pcap_dump_open(pcap_, path.c_str());
  if (!dumper_) throw std::runtime_error("pcap_dump_open " + path.string());
}

PcapWriter::~PcapWriter() { Close(); }

void PcapWriter::Close() {
  if (dumper_) pcap_dump_close(dumper_);
  if (pcap_) pcap_close(pcap_);
  dumper_ = nullptr;
  pcap_ = nullptr;
}

void PcapWriter::Frame(std::string_view bytes, std::uint32_t wire_len) {
  pcap_pkthdr h{};
  usec_ += 1000;
  if (usec_ >= 1000000) {
    usec_ = 0;
    ++clock_;
  }
  h.ts.tv_sec = clock_;
  h.ts.tv_usec = usec_;
  h.caplen = static_cast<bpf_u_int32>(bytes.size());
  h.len = wire_len ? wire_len : h.caplen;
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, reinterpret_cast<const u_char*>(bytes.data()));
  ++packets_;
}

void PcapWriter::Ip4(const std::string& src, const std::string& dst, std::uint8_t proto,
                     std::string_view l4) {
  std::string ip;
  ip.push_back(0x45);
  ip.push_back(0);
  Be16(ip, static_cast<std::uint16_t>(20 + l4.size()));
  Be16(ip, static_cast<std::uint16_t>(packets_));
  Be16(ip, 0x4000);  // don't fragment
  ip.push_back(64);
  ip.push_back(static_cast<char>(proto));
  Be16(ip, 0);
  ip += Addr4(src) + Addr4(dst);
  ip.append(l4);
  std::string frame;
  if (dlt_ == DLT_EN10MB) {
    frame = std::string("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
  } else if (dlt_ == DLT_LINUX_SLL) {
    frame = std::string(14, '\0');
    Be16(frame, 0x0800);
  } else if (dlt_ == DLT_NULL) {
    frame = std::string("\x02\x00\x00\x00", 4);
  }
  Frame(frame + ip);
}

void PcapWriter::Udp(const std::string& src, std::uint16_t sport, const std::string& dst,
                     std::uint16_t dport, std::string_view payload) {
  std::string u;
  Be16(u, sport);
  Be16(u, dport);
  Be16(u, static_cast<std::uint16_t>(8 + payload.size()));
  Be16(u, 0);
  u.append(payload);
  Ip4(src, dst, 17, u);
}

TcpConversation::TcpConversation(PcapWriter& w, std::string client, std::uint16_t cport,
                                 std::string server, std::uint16_t sport)
    : w_(w), client_(std::move(client)), server_(std::move(server)), cport_(cport), sport_(sport) {
  Segment(true, 0x02, {});
  ++cseq_;
  Segment(false, 0x12, {});
  ++sseq_;
  Segment(true, 0x10, {});
}

void TcpConversation::Segment(bool from_client, std::uint8_t flags, std::string_view data) {
  std::string t;
  Be16(t, from_client ? cport_ : sport_);
  Be16(t, from_client ? sport_ : cport_);
  Be32(t, from_client ? cseq_ : sseq_);
  Be32(t, (flags & 0x10) ? (from_client ? sseq_ : cseq_) : 0);
  t.push_back(0x50);
  t.push_back(static_cast<char>(flags));
  Be16(t, 65535);
  Be32(t, 0);  // checksum, urgent pointer
  t.append(data);
  w_.Ip4(from_client ? client_ : server_, from_client ? server_ : client_, 6, t);
}

void TcpConversation::Client(std::string_view data, std::size_t mss) {
  for (std::size_t i = 0; i < data.size(); i += mss) {
    const auto part = data.substr(i, mss);
    Segment(true, 0x18, part);
    cseq_ += static_cast<std::uint32_t>(part.size());
    Segment(false, 0x10, {});
  }
}

void TcpConversation::Server(std::string_view data, std::size_t mss) {
  for (std::size_t i = 0; i < data.size(); i += mss) {
    const auto part = data.substr(i, mss);
    Segment(false, 0x18, part);
    sseq_ += static_cast<std::uint32_t>(part.size());
    Segment(true, 0x10, {});
  }
}

void TcpConversation::Close() {
  Segment(true, 0x11, {});
  ++cseq_;
  Segment(false, 0x11, {});
  ++sseq_;
  Segment(true, 0x10, {});
}

std::string TlsClientHello(const std::string& sni, const std::vector<std::uint16_t>& versions,
                           const std::vector<std::uint16_t>& ciphers) {
  std::string b;
  Be16(b, 0x0303);
  b += std::string(32, '\x11');
  b.push_back(0);  // session id
  Be16(b, static_cast<std::uint16_t>(ciphers.size() * 2));
  for (auto c : ciphers) Be16(b, c);
  b += std::string("\x01\x00", 2);  // null compression
  std::string ext;
  if (!sni.empty()) {
    std::string e;
    Be16(e, static_cast<std::uint16_t>(sni.size() + 3));
    e.push_back(0);
    Be16(e, static_cast<std::uint16_t>(sni.size()));
    e += sni;
    Be16(ext, 0);
    Be16(ext, static_cast<std::uint16_t>(e.size()));
    ext += e;
  }
  if (!versions.empty()) {
    std::string e(1, static_cast<char>(versions.size() * 2));
    for (auto v : versions) Be16(e, v);
    Be16(ext, 43);
    Be16(ext, static_cast<std::uint16_t>(e.size()));
    ext += e;
  }
  Be16(b, static_cast<std::uint16_t>(ext.size()));
  b += ext;
  return Record(22, Handshake(1, b));
}

std::string TlsServerHello(std::uint16_t version, std::uint16_t cipher,
                           const std::vector<std::string>& certificates_der) {
  std::string b;
  Be16(b, version >= 0x0304 ? 0x0303 : version);
  b += std::string(32, '\x22');
  b.push_back(0);
  Be16(b, cipher);
  b.push_back(0);
  if (version >= 0x0304) {
    std::string ext;
    Be16(ext, 43);
    Be16(ext, 2);
    Be16(ext, version);
    Be16(b, static_cast<std::uint16_t>(ext.size()));
    b += ext;
  }
  std::string hs = Handshake(2, b);
  if (!certificates_der.empty()) {
    std::string list;
    for (const auto& c : certificates_der) {
      Be24(list, static_cast<std::uint32_t>(c.size()));
      list += c;
    }
    std::string body;
    Be24(body, static_cast<std::uint32_t>(list.size()));
    hs += Handshake(11, body + list);
  }
  std::string out = Record(22, hs);
  if (version >= 0x0304) out += Record(20, "\x01") + Record(23, std::string(40, '\x5a'));
  return out;
}

std::string SelfSignedCertificate(const std::string& cn, bool expired) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
  X509_gmtime_adj(X509_getm_notBefore(x), expired ? -86400L * 400 : -86400L);
  X509_gmtime_adj(X509_getm_notAfter(x), expired ? -86400L * 30 : 86400L * 365);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509_set_pubkey(x, key);
  X509_sign(x, key, EVP_sha256());
  unsigned char* der = nullptr;
  const int n = i2d_X509(x, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

namespace {
std::string MqttString(const std::string& s) {
  std::string o;
  Be16(o, static_cast<std::uint16_t>(s.size()));
  return o + s;
}
std::string MqttPacket(std::uint8_t first, const std::string& body) {
  std::string o(1, static_cast<char>(first));
  std::size_t n = body.size();
  do {
    std::uint8_t b = n & 0x7f;
    n >>= 7;
    if (n) b |= 0x80;
    o.push_back(static_cast<char>(b));
  } while (n);
  return o + body;
}
}  // namespace

std::string MqttConnect(const std::string& client_id, const std::string& user,
                        const std::string& password) {
  std::string b = MqttString("MQTT");
  b.push_back(4);
  std::uint8_t flags = 0x02;
  if (!user.empty()) flags |= 0x80;
  if (!password.empty()) flags |= 0x40;
  b.push_back(static_cast<char>(flags));
  Be16(b, 60);
  b += MqttString(client_id);
  if (!user.empty()) b += MqttString(user);
  if (!password.empty()) b += MqttString(password);
  return MqttPacket(0x10, b);
}

std::string MqttPublish(const std::string& topic, const std::string& payload) {
  return MqttPacket(0x30, MqttString(topic) + payload);
}

namespace {

// A DNS message with one question for `name` (type A) and, when `ipv4` is set, one A answer.
std::string DnsTestMessage(const std::string& name, const std::string* ipv4) {
  std::string m;
  Be16(m, 0x1234);
  Be16(m, ipv4 ? 0x8180 : 0x0100);
  Be16(m, 1);
  Be16(m, ipv4 ? 1 : 0);
  Be32(m, 0);
  std::size_t pos = 0;
  while (pos < name.size()) {
    const std::size_t dot = std::min(name.find('.', pos), name.size());
    m.push_back(static_cast<char>(dot - pos));
    m += name.substr(pos, dot - pos);
    pos = dot + 1;
  }
  m.push_back(0);
  Be16(m, 1);
  Be16(m, 1);
  if (!ipv4) return m;
  Be16(m, 0xc00c);  // pointer to the question name
  Be16(m, 1);
  Be16(m, 1);
  Be32(m, 300);
  Be16(m, 4);
  m += Addr4(*ipv4);
  return m;
}

}  // namespace

std::string DnsResponse(const std::string& name, const std::string& ipv4) {
  return DnsTestMessage(name, &ipv4);
}

std::string DnsQuery(const std::string& name) { return DnsTestMessage(name, nullptr); }

std::string CoapPost(const std::string& path, const std::string& payload) {
  std::string m;
  m.push_back(0x40);  // v1, CON, no token
  m.push_back(0x02);  // POST
  Be16(m, 0x0101);
  std::uint32_t last = 0;
  std::size_t pos = 0;
  while (pos < path.size()) {
    const std::size_t slash = std::min(path.find('/', pos), path.size());
    const std::string seg = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (seg.empty()) continue;
    const std::uint32_t delta = 11 - last;
    last = 11;
    m.push_back(static_cast<char>((delta << 4) | static_cast<std::uint32_t>(seg.size())));
    m += seg;
  }
  m.push_back(static_cast<char>(0xff));
  return m + payload;
}

}  // namespace iotcop::test
