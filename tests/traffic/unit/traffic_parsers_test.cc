// Traffic analysis, each both ways: credentials of every protocol found (and nothing in a clean
// exchange), personal data shapes (and their look-alikes), TCP reassembly (out of order,
// retransmitted, capped), frame decoding of every link type, what a downloaded body is by its
// magic bytes and the redaction of secrets in request paths. (The protocol parsers, TLS hellos,
// DNS, CoAP and MQTT, are protocols/, tested in protocols_test.cc.)
#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include "core/hash.h"
#include "support/pcap_writer.h"
#include "traffic/analyzers/analyzer.h"
#include "traffic/packet.h"
#include "traffic/parsers.h"
#include "traffic/stream.h"

namespace iotcop::traffic {
namespace {

std::vector<Credential> Creds(std::string_view client, std::string_view server,
                              std::uint16_t port) {
  return FindCredentials(client, server, port);
}

TEST(TrafficCredentials, FtpUserPass) {
  auto c = Creds("USER admin\r\nPASS s3cret\r\nRETR fw.bin\r\n", "220 FTP ready\r\n331 ok\r\n", 21);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].protocol, "ftp");
  EXPECT_EQ(c[0].user, "admin");
  EXPECT_EQ(c[0].secret, "s3cret");
  EXPECT_EQ(c[0].offset, 0u);
}

TEST(TrafficCredentials, Pop3UserPassAndAuthPlain) {
  auto c = Creds("USER bob\r\nPASS hunter2\r\n", "+OK POP3 ready\r\n", 110);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].protocol, "pop3");
  EXPECT_EQ(c[0].secret, "hunter2");
  // AUTH PLAIN with the initial response on the next line: \0bob\0hunter3
  auto p = Creds("AUTH PLAIN\r\nAGJvYgBodW50ZXIz\r\n", "+OK\r\n", 110);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].user, "bob");
  EXPECT_EQ(p[0].secret, "hunter3");
}

TEST(TrafficCredentials, ImapLoginQuoted) {
  auto c = Creds("a1 CAPABILITY\r\na2 LOGIN \"carol\" \"pa ss\"\r\n", "* OK IMAP4rev1\r\n", 143);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].protocol, "imap");
  EXPECT_EQ(c[0].user, "carol");
  EXPECT_EQ(c[0].secret, "pa ss");
}

TEST(TrafficCredentials, SmtpAuthLoginAndPlain) {
  // dave / p4ss in base64, one per line after AUTH LOGIN
  auto c = Creds("EHLO cam\r\nAUTH LOGIN\r\nZGF2ZQ==\r\ncDRzcw==\r\n", "220 mail ESMTP\r\n", 25);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].protocol, "smtp");
  EXPECT_EQ(c[0].user, "dave");
  EXPECT_EQ(c[0].secret, "p4ss");
  auto p = Creds("EHLO cam\r\nAUTH PLAIN AGRhdmUAcDRzcw==\r\n", "220 mail ESMTP\r\n", 587);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].method, "plain");
  EXPECT_EQ(p[0].secret, "p4ss");
}

TEST(TrafficCredentials, TelnetLoginThroughOptionNegotiation) {
  const std::string server =
      "\xff\xfd\x18\xff\xfb\x01"
      "camera login: "
      "Password: ";
  const std::string client =
      "\xff\xfc\x18"
      "root\r\n"
      "xmhdipc\r\n";
  auto c = Creds(client, server, 23);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].protocol, "telnet");
  EXPECT_EQ(c[0].user, "root");
  EXPECT_EQ(c[0].secret, "xmhdipc");
  // A telnet session without a password prompt gives nothing.
  EXPECT_TRUE(Creds("ls\r\n", "BusyBox v1.30 built-in shell\r\n# ", 23).empty());
}

TEST(TrafficCredentials, HttpBasicDigestAndForm) {
  auto b = Creds(
      "GET /cgi-bin/status HTTP/1.1\r\nHost: cam\r\nAuthorization: Basic "
      "YWRtaW46YWRtaW4xMjM=\r\n\r\n",
      "", 80);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].method, "basic");
  EXPECT_EQ(b[0].user, "admin");
  EXPECT_EQ(b[0].secret, "admin123");
  auto d = Creds(
      "GET / HTTP/1.1\r\nAuthorization: Digest username=\"eve\", realm=\"cam\", "
      "nonce=\"abc\", uri=\"/\", response=\"6629fae49393a05397450978507c4ef1\"\r\n\r\n",
      "", 80);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].method, "digest");
  EXPECT_EQ(d[0].user, "eve");
  EXPECT_EQ(d[0].secret, "6629fae49393a05397450978507c4ef1");
  const std::string body = "username=frank&password=p%40ss%21";
  auto f = Creds(
      "POST /login HTTP/1.1\r\nHost: cam\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body,
      "", 80);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].method, "form");
  EXPECT_EQ(f[0].user, "frank");
  EXPECT_EQ(f[0].secret, "p@ss!");
  // A plain GET has no credential.
  EXPECT_TRUE(Creds("GET /index.html HTTP/1.1\r\nHost: cam\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n", 80)
                  .empty());
}

TEST(TrafficCredentials, MqttConnect) {
  auto c = Creds(test::MqttConnect("cam-1", "device", "t0ken!"), "", 1883);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].protocol, "mqtt");
  EXPECT_EQ(c[0].user, "device");
  EXPECT_EQ(c[0].secret, "t0ken!");
  EXPECT_TRUE(Creds(test::MqttConnect("cam-1", "", ""), "", 1883).empty());
}

TEST(TrafficPersonalData, EveryShapeFound) {
  const std::string text =
      R"({"owner":"alice@example.com","phone":"+44 20 7946 0018","lat":51.5007,"lon":-0.1246,)"
      R"("ssid":"HomeNet","psk":"correct horse","bssid":"a4:2b:b0:11:22:33"})";
  std::set<std::string> types;
  for (const auto& p : FindPersonalData(text)) types.insert(p.type);
  EXPECT_EQ(types,
            (std::set<std::string>{"email", "phone", "gps", "wifi-ssid", "wifi-psk", "mac"}));
}

TEST(TrafficPersonalData, LookAlikesIgnored) {
  const std::string text =
      "version 1.2.3456789 build +1 fe80::a4:2b:b0:11:22:33:44 user@localhost lat=1 lon=2 "
      "img@2x.png 00:00:00:00:00:00 time 12:30:45";
  EXPECT_TRUE(FindPersonalData(text).empty());
}

TEST(TrafficStream, OutOfOrderRetransmittedAndCapped) {
  Stream s(10);
  s.Syn(99);  // data starts at 100
  s.Add(105, AsBytes("FGH"), 3);
  s.Add(100, AsBytes("ABCDE"), 2);
  s.Add(100, AsBytes("ABC"), 4);  // retransmission
  s.Add(108, AsBytes("IJKLMN"), 5);
  EXPECT_EQ(s.data(), "ABCDEFGHIJ");
  EXPECT_EQ(s.beyond_cap(), 4u);
  EXPECT_EQ(s.PacketAt(0), 2u);
  EXPECT_EQ(s.PacketAt(6), 3u);
  EXPECT_EQ(s.PacketAt(9), 5u);
}

TEST(TrafficDecode, LinkTypesAndBadLengths) {
  const std::string ip =
      std::string(
          "\x45\x00\x00\x1c\x00\x01\x00\x00\x40\x11\x00\x00\x0a\x00\x00\x02\xc6\x33\x64\x07", 20) +
      std::string("\x30\x39\x00\x35\x00\x08\x00\x00", 8);
  for (int dlt : {DLT_RAW, DLT_IPV4}) {
    auto p = DecodeFrame(dlt, AsBytes(ip));
    ASSERT_TRUE(p) << dlt;
    EXPECT_EQ(ToString(p->src), "10.0.0.2");
    EXPECT_EQ(p->dport, 53);
  }
  auto null = DecodeFrame(DLT_NULL, AsBytes(std::string("\x02\x00\x00\x00", 4) + ip));
  ASSERT_TRUE(null);
  EXPECT_EQ(null->protocol, 17);
  std::string sll(14, '\0');
  sll += "\x08\x00";
  ASSERT_TRUE(DecodeFrame(DLT_LINUX_SLL, AsBytes(sll + ip)));
  std::string sll2("\x08\x00", 2);
  sll2 += std::string(18, '\0');
  ASSERT_TRUE(DecodeFrame(DLT_LINUX_SLL2, AsBytes(sll2 + ip)));
  // A UDP length beyond the datagram and an IPv4 header length beyond the packet are errors.
  std::string bad = ip;
  bad[25] = '\x40';
  auto e = DecodeFrame(DLT_RAW, AsBytes(bad));
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().what.find("UDP length"), std::string::npos);
  bad = ip;
  bad[0] = '\x4f';
  EXPECT_FALSE(DecodeFrame(DLT_RAW, AsBytes(bad.substr(0, 40))));
  EXPECT_FALSE(DecodeFrame(DLT_EN10MB, AsBytes(std::string(10, '\0'))));
  EXPECT_FALSE(SupportedLinkType(DLT_USER0));
}

TEST(TrafficDownloads, PayloadKindComesFromMagicBytes) {
  using analyzers::IdentifyPayload;
  const auto name = [](const std::string& body) { return IdentifyPayload(body).name; };
  EXPECT_EQ(name(std::string("\x1f\x8b\x08\x00", 4)), "gzip");
  EXPECT_EQ(name(std::string("\xfd"
                             "7zXZ\0",
                             6)),
            "xz");
  EXPECT_EQ(name("BZh91AY&SY"), "bzip2");
  EXPECT_EQ(name("BZhx"), "");
  EXPECT_EQ(name(std::string("PK\x03\x04", 4)), "zip");
  EXPECT_EQ(name("!<arch>\ndebian-binary"), "ar");
  EXPECT_EQ(name("hsqs...."), "squashfs");
  EXPECT_EQ(name(std::string("\x27\x05\x19\x56", 4)), "uimage");
  EXPECT_EQ(name("HDR0...."), "trx");
  EXPECT_EQ(name(std::string("\x7f"
                             "ELF\x02",
                             5)),
            "elf");
  EXPECT_EQ(name("#!/bin/sh\nrm -rf /\n"), "shell-script");
  std::string tar(512, '\0');
  tar.replace(257, 6, std::string("ustar\0", 6));
  EXPECT_EQ(IdentifyPayload(tar).kind, "archive");
  EXPECT_EQ(name(tar.substr(0, 200)), "");  // too short to hold the tar magic
  std::string pe(256, '\0');
  pe.replace(0, 2, "MZ");
  pe[0x3c] = static_cast<char>(0x80);
  pe.replace(0x80, 4, std::string("PE\0\0", 4));
  EXPECT_EQ(IdentifyPayload(pe).kind, "executable");
  pe[0x3c] = static_cast<char>(0xff);  // e_lfanew past what was kept: not a PE
  EXPECT_EQ(name(pe), "");
  EXPECT_EQ(name("MZ is a text"), "");
  EXPECT_EQ(name("<html>"), "");
  EXPECT_TRUE(IdentifyPayload("hsqs").image);
  EXPECT_FALSE(IdentifyPayload(std::string("\x1f\x8b\x08", 3)).image);
  // The update test: a firmware file name, update words in the path or the host.
  EXPECT_NE(analyzers::UpdateLike("/fw/cam-2.1.bin?x=1", "cdn.example"), "");
  EXPECT_NE(analyzers::UpdateLike("/latest", "update.vendor.example"), "");
  EXPECT_EQ(analyzers::UpdateLike("/img/photo.jpg", "cdn.example"), "");
}

TEST(TrafficDownloads, SecretLookingQueryValuesAreRedacted) {
  using analyzers::RedactQuery;
  EXPECT_EQ(RedactQuery("/a/b"), "/a/b");
  EXPECT_EQ(RedactQuery("/q?w=640&h=480#top"), "/q?w=640&h=480#top");
  const std::string r = RedactQuery("/api?user=bob&password=hunter2&x=1&sid=&flag");
  EXPECT_EQ(r.find("hunter2"), std::string::npos) << r;
  EXPECT_TRUE(r.starts_with("/api?user=bob&password=")) << r;
  EXPECT_TRUE(r.ends_with("&x=1&sid=&flag")) << r;
  const std::string t = RedactQuery("/p?id=Zq8vL2mN4pR7sT1uW3xY5&n=12345678901234567890123");
  EXPECT_EQ(t.find("Zq8vL2mN4pR7sT1uW3xY5"), std::string::npos) << t;
  EXPECT_NE(t.find("n=12345678901234567890123"), std::string::npos) << t;  // digits only
}

}  // namespace
}  // namespace iotcop::traffic
