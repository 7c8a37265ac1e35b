// File: tests/support/pcap_writer.h
// Captures written by the tests themselves with libpcap (pcap_open_dead + pcap_dump_open):
// hand-built Ethernet (or other link type) / IPv4 / TCP and UDP frames carrying real protocol
// payloads, TCP conversations with handshake, segmentation and close, and builders of the
// protocol messages the traffic tests need (TLS hellos and certificates, MQTT, DNS, CoAP).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

struct pcap;
struct pcap_dumper;

namespace iotcop::test {

class PcapWriter {
 public:
  explicit PcapWriter(const std::filesystem::path& path, int dlt = 1 /* Ethernet */);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // A frame as it is (caplen = its size; `wire_len` 0 = the same).
  void Frame(std::string_view bytes, std::uint32_t wire_len = 0);
  // An IPv4 packet (header built here) wrapped in the link layer.
  void Ip4(const std::string& src, const std::string& dst, std::uint8_t proto, std::string_view l4);
  void Udp(const std::string& src, std::uint16_t sport, const std::string& dst, std::uint16_t dport,
           std::string_view payload);
  std::size_t packets() const { return packets_; }
  void Close();

 private:
  int dlt_;
  pcap* pcap_ = nullptr;
  pcap_dumper* dumper_ = nullptr;
  std::size_t packets_ = 0;
  std::uint32_t clock_ = 1700000000;
  std::uint32_t usec_ = 0;
};

// One TCP connection: the constructor writes the handshake, Client()/Server() the data in
// segments of `mss` bytes (each acknowledged), Close() the FIN exchange.
class TcpConversation {
 public:
  TcpConversation(PcapWriter& w, std::string client, std::uint16_t cport, std::string server,
                  std::uint16_t sport);
  void Client(std::string_view data, std::size_t mss = 1400);
  void Server(std::string_view data, std::size_t mss = 1400);
  void Close();

 private:
  void Segment(bool from_client, std::uint8_t flags, std::string_view data);
  PcapWriter& w_;
  std::string client_, server_;
  std::uint16_t cport_, sport_;
  std::uint32_t cseq_ = 1000, sseq_ = 5000000;
};

// TLS records.
std::string TlsClientHello(const std::string& sni, const std::vector<std::uint16_t>& versions,
                           const std::vector<std::uint16_t>& ciphers);
std::string TlsServerHello(std::uint16_t version, std::uint16_t cipher,
                           const std::vector<std::string>& certificates_der = {});
// A self-signed certificate (DER), expired when `expired`.
std::string SelfSignedCertificate(const std::string& cn, bool expired);

std::string MqttConnect(const std::string& client_id, const std::string& user,
                        const std::string& password);
std::string MqttPublish(const std::string& topic, const std::string& payload);
std::string DnsResponse(const std::string& name, const std::string& ipv4);
// The query DnsResponse answers (id 0x1234, one question of type A).
std::string DnsQuery(const std::string& name);
std::string CoapPost(const std::string& path, const std::string& payload);

}  // namespace iotcop::test
