// The shared protocol parsers (src/protocols/). HTTP first: the live probe (network/http.h), the
// login probes (network/login/) and the capture analysis (traffic/) read the same bytes through
// one parser (protocols/http.h), each with its own syntax; these tests pin what each of them gets
// (the values each reader got before the parsers were one). Then addresses, DNS, CoAP, MQTT, TLS,
// SNMP, SSDP, SSH and telnet.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <string_view>

#include <set>

#include "network/http.h"
#include "network/login/http_auth.h"
#include "network/ssh.h"
#include "protocols/address.h"
#include "protocols/coap.h"
#include "protocols/dns.h"
#include "protocols/http.h"
#include "protocols/mqtt.h"
#include "protocols/snmp.h"
#include "protocols/ssdp.h"
#include "protocols/ssh.h"
#include "protocols/telnet.h"
#include "protocols/tls.h"
#include "support/pcap_writer.h"
#include "traffic/dpi.h"
#include "traffic/parsers.h"

namespace iotcop {
namespace {

std::string Failure(const Error& e) {
  return fmt::format("error {} at {}", ErrcName(e.code),
                     e.offset ? std::to_string(*e.offset) : "-");
}

// What the live probe (network::ParseHttpResponse, HttpGet) reads.
std::string Probe(std::string_view bytes) {
  auto r = network::ParseHttpResponse(bytes, "t");
  if (!r) return Failure(r.error());
  std::string s = fmt::format("{} {} '{}'", r->protocol, r->status, r->reason);
  for (const auto& [k, v] : r->headers) s += fmt::format(" [{}={}]", k, v);
  return s + fmt::format(" body='{}'{}", r->body, r->truncated ? " truncated" : "");
}

// What the login probes (Exchange, robustness) read: the head, where it ends, whether the whole
// response is in.
std::string Login(std::string_view bytes) {
  auto h = protocols::ParseHttpHead(bytes, "t");
  const std::string end = fmt::format("end={} complete={}", protocols::HttpHeadEnd(bytes),
                                      network::login::ResponseComplete(bytes));
  if (!h) return Failure(h.error()) + " " + end;
  std::string s = fmt::format("{} {} '{}'", h->protocol, h->status, h->reason);
  for (const auto& [k, v] : h->headers) s += fmt::format(" [{}={}]", k, v);
  return s + fmt::format(" size={} ", h->size) + end;
}

// What the capture analysis reads from a server's stream.
std::string Capture(std::string_view bytes) {
  std::string s;
  for (const auto& r : traffic::ParseHttpResponses(bytes))
    s += fmt::format("@{} {} type='{}' disposition='{}' length={} start='{}'\n", r.offset, r.status,
                     r.content_type, r.content_disposition, r.content_length, r.body_start);
  return s;
}

std::string CaptureRequests(std::string_view bytes) {
  std::string s;
  for (const auto& r : traffic::ParseHttpRequests(bytes))
    s += fmt::format("@{} {} {} {} host='{}' agent='{}' type='{}' auth='{}' body='{}'\n", r.offset,
                     r.method, r.target, r.version, r.host, r.user_agent, r.content_type,
                     r.authorization, r.body);
  return s;
}

TEST(ProtocolsHttp, ChunkedBodyReadAlikeByEveryUser) {
  const std::string r =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n";
  EXPECT_EQ(Probe(r),
            "HTTP/1.1 200 'OK' [transfer-encoding=chunked] [content-type=text/plain] "
            "body='hello world'");
  EXPECT_EQ(Login(r),
            "HTTP/1.1 200 'OK' [transfer-encoding=chunked] [content-type=text/plain] size=73 "
            "end=73 complete=false");
  EXPECT_EQ(Capture(r), "@0 200 type='text/plain' disposition='' length=11 start='hello world'\n");
  // Bare LF line ends, and upper-case hex sizes.
  const std::string lf = "HTTP/1.0 200 OK\nTransfer-Encoding: chunked\n\nA\nabcdefghij\n0\n\n";
  EXPECT_EQ(Probe(lf), "HTTP/1.0 200 'OK' [transfer-encoding=chunked] body='abcdefghij'");
  EXPECT_EQ(Login(lf),
            "HTTP/1.0 200 'OK' [transfer-encoding=chunked] size=44 end=44 complete=false");
}

TEST(ProtocolsHttp, TruncatedBodyReadAlikeByEveryUser) {
  const std::string cl = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort";
  EXPECT_EQ(Probe(cl), "HTTP/1.1 200 'OK' [content-length=100] body='short' truncated");
  EXPECT_EQ(Login(cl), "HTTP/1.1 200 'OK' [content-length=100] size=40 end=40 complete=false");
  EXPECT_EQ(Capture(cl), "@0 200 type='' disposition='' length=100 start='short'\n");
  const std::string chunk = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly eight";
  EXPECT_EQ(Probe(chunk),
            "HTTP/1.1 200 'OK' [transfer-encoding=chunked] body='only eight' truncated");
  EXPECT_EQ(Capture(chunk), "@0 200 type='' disposition='' length=16 start='only eight'\n");
  // The head itself cut short: nothing for anyone. (The probe's error names the unfinished line,
  // as the login probes' does; before the parsers were one it named the end of the input, 28.)
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Len";
  EXPECT_EQ(Probe(head), "error truncated at 17");
  EXPECT_EQ(Login(head), "error truncated at 17 end=0 complete=false");
  EXPECT_EQ(Capture(head), "");
}

TEST(ProtocolsHttp, RtspHead) {
  const std::string r =
      "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Digest realm=\"cam\", "
      "nonce=\"abc\"\r\nWWW-Authenticate: Basic realm=\"cam\"\r\n\r\n";
  EXPECT_EQ(Login(r),
            "RTSP/1.0 401 'Unauthorized' [cseq=2] [www-authenticate=Digest realm=\"cam\", "
            "nonce=\"abc\"] [www-authenticate=Basic realm=\"cam\"] size=126 end=126 "
            "complete=true");
  auto h = protocols::ParseHttpHead(r, "t");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->All("www-authenticate").size(), 2u);
  // The HTTP probe and the capture analysis read HTTP only.
  EXPECT_EQ(Probe(r), "error corrupt at 0");
  EXPECT_EQ(Capture(r), "");
}

TEST(ProtocolsHttp, HeaderFolding) {
  // An obsolete line folding (RFC 9112 5.2): the login probe joins it to the value; the HTTP
  // probe reads each line on its own (a line without a colon is an error); the capture analysis
  // skips what is not a header line.
  const std::string r =
      "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic\r\n realm=\"x\"\r\n"
      "Content-Type: text/html;\r\n\tcharset=utf-8\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(Probe(r), "error corrupt at 52");
  EXPECT_EQ(Login(r),
            "HTTP/1.1 401 'Unauthorized' [www-authenticate=Basic realm=\"x\"] "
            "[content-type=text/html; charset=utf-8] [content-length=0] size=127 end=127 "
            "complete=true");
  EXPECT_EQ(Capture(r), "@0 401 type='text/html;' disposition='' length=0 start=''\n");
  // A folded line that looks like a header is one for the probe and the capture analysis.
  const std::string colon = "HTTP/1.1 200 OK\r\nServer: a\r\n x-b: c\r\nContent-Length: 1\r\n\r\nz";
  EXPECT_EQ(Probe(colon), "HTTP/1.1 200 'OK' [server=a] [x-b=c] [content-length=1] body='z'");
  EXPECT_EQ(Login(colon),
            "HTTP/1.1 200 'OK' [server=a x-b: c] [content-length=1] size=58 end=58 complete=true");
  const std::string req =
      "GET / HTTP/1.1\r\nHost: cam\r\nAuthorization: Basic\r\n YWRtaW46YWRtaW4=\r\n\r\n";
  EXPECT_EQ(CaptureRequests(req),
            "@0 GET / HTTP/1.1 host='cam' agent='' type='' auth='Basic' body=''\n");
}

TEST(ProtocolsHttp, HeaderCaps) {
  auto with = [](int n) {
    std::string s = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < n; ++i) s += fmt::format("X-{}: v\r\n", i);
    return s + "Content-Type: text/plain\r\n\r\n";
  };
  // The probe takes 100 headers, the login probes 200, the capture analysis reads the first 128.
  EXPECT_EQ(Probe(with(99)).substr(0, 21), "HTTP/1.1 200 'OK' [x-");
  EXPECT_EQ(Probe(with(100)), "error limit-exceeded at 907");
  auto login199 = protocols::ParseHttpHead(with(199), "t");
  ASSERT_TRUE(login199);
  EXPECT_EQ(login199->headers.size(), 200u);
  EXPECT_EQ(login199->Header("content-type"), "text/plain");
  auto login200 = protocols::ParseHttpHead(with(200), "t");
  ASSERT_FALSE(login200);
  EXPECT_EQ(Failure(login200.error()), "error limit-exceeded at 1907");
  EXPECT_EQ(Capture(with(127)), "@0 200 type='text/plain' disposition='' length=0 start=''\n");
  EXPECT_EQ(Capture(with(128)), "@0 200 type='' disposition='' length=0 start=''\n");
  // The login probes bound each line to 8 KiB.
  const std::string long_line = "HTTP/1.1 200 OK\r\nX: " + std::string(9000, 'a') + "\r\n\r\n";
  EXPECT_EQ(Login(long_line), "error limit-exceeded at 17 end=9024 complete=true");
  EXPECT_EQ(Probe(long_line).substr(0, 30), "HTTP/1.1 200 'OK' [x=aaaaaaaaa");
  EXPECT_EQ(Capture(long_line), "@0 200 type='' disposition='' length=0 start=''\n");
  // The capture analysis gives up on a head longer than 32 KiB.
  std::string big = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 40; ++i) big += "X-Big: " + std::string(1000, 'b') + "\r\n";
  EXPECT_EQ(Capture(big + "\r\n"), "");
}

TEST(ProtocolsHttp, StreamOfSeveralResponses) {
  const std::string s =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Disposition: attachment; "
      "filename=fw.bin\r\n\r\n\x1f\x8b\x08\x08rest";
  EXPECT_EQ(Capture(s),
            "@0 200 type='application/json' disposition='' length=2 start='{}'\n"
            "@72 200 type='' disposition='' length=3 start='abc'\n"
            "@132 304 type='' disposition='' length=0 start=''\n"
            "@180 200 type='' disposition='attachment; filename=fw.bin' length=8 "
            "start='\x1f\x8b\x08\x08rest'\n");
  // The probe and the login probes read the first one.
  EXPECT_EQ(Probe(s).substr(0, 82),
            "HTTP/1.1 200 'OK' [content-type=application/json] [content-length=2] body='{}'");
  EXPECT_EQ(Login(s).substr(Login(s).find("size=")), "size=70 end=70 complete=true");
  // Something that is not HTTP ends the stream; a stream that does not start with HTTP is none.
  EXPECT_EQ(Capture("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\nSSH-2.0-x\r\n\r\n"),
            "@0 204 type='' disposition='' length=0 start=''\n");
  EXPECT_EQ(Capture("hello\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"), "");
}

TEST(ProtocolsHttp, StreamOfRequests) {
  const std::string body = "user=a&pass=b";
  const std::string s =
      "GET /index.html?x=1 HTTP/1.1\r\nHost: cam\r\nUser-Agent: fw/1.0\r\n\r\n"
      "POST /login HTTP/1.1\r\nHost: cam\r\nContent-Type: "
      "application/x-www-form-urlencoded\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body +
      "PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
      "BREW /pot HTTP/1.1\r\n\r\n";
  EXPECT_EQ(CaptureRequests(s),
            "@0 GET /index.html?x=1 HTTP/1.1 host='cam' agent='fw/1.0' type='' auth='' body=''\n"
            "@63 POST /login HTTP/1.1 host='cam' agent='' type='application/x-www-form-urlencoded' "
            "auth='' body='user=a&pass=b'\n"
            "@180 PUT /x HTTP/1.1 host='' agent='' type='' auth='' body='hi'\n");
  EXPECT_EQ(CaptureRequests("GET / HTTP/2\r\n\r\n"), "");
  EXPECT_EQ(CaptureRequests("GET /\r\n\r\n"), "");
}

TEST(ProtocolsHttp, LengthsAndLineEnds) {
  // A Content-Length that is not a number: an error for the probe (naming where the body starts;
  // it named no offset before), its leading digits (or 0) for the capture analysis.
  const std::string bad = "HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\nabcdef";
  EXPECT_EQ(Probe(bad), "error corrupt at 39");
  EXPECT_EQ(Capture(bad), "@0 200 type='' disposition='' length=3 start='abc'\n");
  EXPECT_EQ(Capture("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nabc"),
            "@0 200 type='' disposition='' length=0 start=''\n");
  // Bare LF line ends in a capture.
  EXPECT_EQ(CaptureRequests("GET /a HTTP/1.0\nHost: h\n\nGET /b HTTP/1.0\n\n"),
            "@0 GET /a HTTP/1.0 host='h' agent='' type='' auth='' body=''\n"
            "@25 GET /b HTTP/1.0 host='' agent='' type='' auth='' body=''\n");
  // Chunked with a trailer, and Transfer-Encoding written in capitals. Before the parsers were one,
  // the capture analysis stopped at the trailer (it took the two bytes after the last chunk for
  // its end) and did not take "Chunked" for chunked (it compared case-sensitively): it read only
  // the first response, and the second's body as 12 raw bytes.
  const std::string trailer =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: 1\r\n\r\n"
      "HTTP/1.1 204 No Content\r\n\r\n";
  EXPECT_EQ(Probe(trailer).substr(0, 62),
            "HTTP/1.1 200 'OK' [transfer-encoding=chunked] body='ok'");
  EXPECT_EQ(Capture(trailer),
            "@0 200 type='' disposition='' length=2 start='ok'\n"
            "@67 204 type='' disposition='' length=0 start=''\n");
  const std::string caps =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
  EXPECT_EQ(Probe(caps), "HTTP/1.1 200 'OK' [transfer-encoding=Chunked] body='ok'");
  EXPECT_EQ(Capture(caps), "@0 200 type='' disposition='' length=2 start='ok'\n");
  // A head whose empty line follows a bare LF line end ("\n\r\n") ends there for every reader.
  // Before, only the login probes' head parser saw it end (their HeadEnd did not, so the answer
  // was never complete); the probe and the capture analysis looked for "\r\n\r\n" or "\n\n".
  const std::string mixed = "HTTP/1.1 200 OK\nServer: x\n\r\nbody";
  EXPECT_EQ(Probe(mixed), "HTTP/1.1 200 'OK' [server=x] body='body'");
  EXPECT_EQ(Login(mixed), "HTTP/1.1 200 'OK' [server=x] size=28 end=28 complete=false");
  EXPECT_EQ(Capture(mixed), "@0 200 type='' disposition='' length=4 start='body'\n");
}

}  // namespace
}  // namespace iotcop

namespace iotcop::protocols {
namespace {

TEST(ProtocolsAddress, TextBytesAndForms) {
  Address a;
  ASSERT_TRUE(ParseAddress("192.0.2.1", a));
  EXPECT_EQ(a.version, 4);
  EXPECT_EQ(ToString(a), "192.0.2.1");
  EXPECT_EQ(HostPort(a, 80), "192.0.2.1:80");
  ASSERT_TRUE(ParseAddress("2001:db8::1", a));
  EXPECT_EQ(a.version, 6);
  EXPECT_EQ(ToString(a), "2001:db8::1");
  EXPECT_EQ(HostPort(a, 443), "[2001:db8::1]:443");
  for (const char* bad : {"", "[::1]", "::1%lo", "192.0.2.1:80", "256.0.0.1", "cam.local"}) {
    EXPECT_FALSE(ParseAddress(bad, a)) << bad;
    EXPECT_EQ(a.version, 0) << bad;
  }
  std::uint32_t bits = 0;
  ASSERT_TRUE(ParseIpv4("10.1.2.3", bits));
  const auto* b = reinterpret_cast<const unsigned char*>(&bits);  // network order
  EXPECT_EQ(b[0], 10);
  EXPECT_EQ(b[3], 3);
  EXPECT_FALSE(ParseIpv4("::1", bits));
  EXPECT_EQ(UrlHost("::1"), "[::1]");
  EXPECT_EQ(UrlHost("127.0.0.5"), "127.0.0.5");
  EXPECT_EQ(HostPort("::1", 23), "[::1]:23");
  EXPECT_EQ(HostPort("127.0.0.5", 23), "127.0.0.5:23");
  auto priv = [](const char* t) {
    Address x;
    EXPECT_TRUE(ParseAddress(t, x)) << t;
    return IsPrivate(x);
  };
  for (const char* p : {"10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "169.254.1.1",
                        "100.64.0.1", "::1", "fd00::1", "fe80::1"})
    EXPECT_TRUE(priv(p)) << p;
  for (const char* p : {"8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:db8::1"})
    EXPECT_FALSE(priv(p)) << p;
}

TEST(ProtocolsDns, MessageSectionsAndBounds) {
  const std::string r = test::DnsResponse("cloud.vendor.example", "198.51.100.7");
  auto m = ReadDnsMessage(AsBytes(r));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->response());
  EXPECT_EQ(m->questions, std::vector<std::string>{"cloud.vendor.example"});
  ASSERT_EQ(m->records.size(), 1u);
  EXPECT_EQ(m->records[0].section, 1);
  EXPECT_EQ(m->records[0].type, 1);
  EXPECT_EQ(m->records[0].name, "cloud.vendor.example");
  EXPECT_EQ(m->records[0].rdata.size(), 4u);
  // Only the id and flags: a response with nothing in it; less: not a message.
  auto header = ReadDnsMessage(AsBytes(std::string_view(r).substr(0, 6)));
  ASSERT_TRUE(header);
  EXPECT_TRUE(header->response());
  EXPECT_EQ(header->counts[0], 0);
  EXPECT_TRUE(header->records.empty());
  EXPECT_FALSE(ReadDnsMessage(AsBytes(std::string_view(r).substr(0, 3))));
  // Far more records claimed than there are: what fits, then the end.
  std::string many = r;
  many[6] = '\xff';
  auto m2 = ReadDnsMessage(AsBytes(many));
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->records.size(), 1u);
  EXPECT_EQ(ParseDnsResponse(AsBytes(many)).size(), 1u);
}

TEST(ProtocolsSsdp, HeaderAndDescription) {
  const std::string a =
      "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nLOCATION: http://127.0.0.1:49152/d.xml\r\n"
      "SERVER:  Linux/4.9 UPnP/1.0 cam/1.2 \r\nST: upnp:rootdevice\r\n\r\n";
  EXPECT_EQ(SsdpHeader(a, "location"), "http://127.0.0.1:49152/d.xml");
  EXPECT_EQ(SsdpHeader(a, "server"), "Linux/4.9 UPnP/1.0 cam/1.2");
  EXPECT_EQ(SsdpHeader(a, "usn"), "");
  // One datagram: read even without its empty line.
  EXPECT_EQ(SsdpHeader("HTTP/1.1 200 OK\r\nServer: x", "server"), "x");
  const std::string xml = "<root><device><friendlyName>Cam &amp; co</friendlyName><modelNumber>" +
                          std::string(500, '7') + "</modelNumber><UDN></UDN></device></root>";
  EXPECT_EQ(UpnpField(xml, "friendlyName"), "Cam &amp; co");
  EXPECT_EQ(UpnpField(xml, "modelNumber"), std::string(200, '7'));
  EXPECT_EQ(UpnpField(xml, "UDN"), "");
  EXPECT_EQ(UpnpField(xml, "serialNumber"), "");
  EXPECT_EQ(UpnpField("<modelName>unclosed", "modelName"), "");
}

TEST(ProtocolsHttp, ChallengesAndFormDecoding) {
  auto c = ParseChallenges(R"(Digest realm="cam \"1\"", nonce=abc, Basic realm="x", Bearer)");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].params["realm"], "cam \"1\"");
  EXPECT_EQ(c[0].params["nonce"], "abc");
  EXPECT_EQ(c[2].scheme, "bearer");
  EXPECT_TRUE(ParseChallenges("=, , \"").empty());
  EXPECT_EQ(UrlDecode("a+b%41%4g%"), "a bA%4g%");
}

TEST(ProtocolsTelnet, CommandsStrippedAndRefused) {
  // IAC WILL ECHO, IAC DO NAWS, text, IAC SB ... IAC SE, IAC IAC, an unfinished IAC DO.
  const std::string in("\xff\xfb\x01\xff\xfd\x1flogin\xff\xfa\x18\x01\xff\xf0:\xff\xff\xff\xfd",
                       22);
  const auto d = DecodeTelnet(in);
  EXPECT_EQ(d.text, "login:\xff");
  EXPECT_EQ(d.reply, std::string("\xff\xfe\x01\xff\xfc\x1f", 6));
  EXPECT_EQ(d.used, in.size() - 2);
  // A flood of offers is answered at most 64 times.
  std::string flood;
  for (int i = 0; i < 1000; ++i) flood += std::string("\xff\xfb\x01", 3);
  EXPECT_EQ(DecodeTelnet(flood).reply.size(), 3u * 64);
}

std::string NameList(const std::string& s) {
  std::string out(4, '\0');
  out[0] = static_cast<char>(s.size() >> 24);
  out[1] = static_cast<char>(s.size() >> 16);
  out[2] = static_cast<char>(s.size() >> 8);
  out[3] = static_cast<char>(s.size());
  return out + s;
}

std::string KexinitPacket(const std::vector<std::string>& lists) {
  std::string payload = "\x14" + std::string(16, '\x42');
  for (const auto& l : lists) payload += NameList(l);
  payload += std::string(5, '\0');  // first_kex_packet_follows, reserved
  const std::size_t pad = 8 - (payload.size() + 5) % 8 + 4;
  const std::uint32_t len = static_cast<std::uint32_t>(payload.size() + pad + 1);
  std::string pkt = {static_cast<char>(len >> 24), static_cast<char>(len >> 16),
                     static_cast<char>(len >> 8), static_cast<char>(len), static_cast<char>(pad)};
  return pkt + payload + std::string(pad, '\0');
}

TEST(ProtocolsSsh, KexinitParsedAndJudged) {
  const std::string data =
      "banner line before\r\nSSH-2.0-Weak_1.0\r\n" +
      KexinitPacket({"curve25519-sha256,diffie-hellman-group1-sha1,diffie-hellman-group14-sha1",
                     "ssh-ed25519,ssh-dss", "aes128-ctr,3des-cbc", "aes128-ctr,arcfour",
                     "hmac-sha2-256,hmac-md5", "hmac-sha2-256", "none", "none,zlib", "", ""});
  auto id = ParseSshIdent(data, "t");
  ASSERT_TRUE(id) << id.error().Describe();
  EXPECT_EQ(id->first, "SSH-2.0-Weak_1.0");
  auto k = ParseKexinitPacket(std::string_view(data).substr(id->second), "t");
  ASSERT_TRUE(k) << k.error().Describe();
  EXPECT_EQ(k->kex.size(), 3u);
  EXPECT_EQ(k->host_keys, (std::vector<std::string>{"ssh-ed25519", "ssh-dss"}));
  EXPECT_EQ(k->ciphers_s2c, (std::vector<std::string>{"aes128-ctr", "arcfour"}));
  EXPECT_EQ(k->compression_s2c, (std::vector<std::string>{"none", "zlib"}));
  const auto weak = network::JudgeSshAlgorithms(*k);
  std::set<std::string> fail, warn;
  for (const auto& w : weak)
    (w["level"] == "fail" ? fail : warn).insert(w["name"].get<std::string>());
  EXPECT_EQ(fail, (std::set<std::string>{"diffie-hellman-group1-sha1", "ssh-dss", "3des-cbc",
                                         "arcfour", "hmac-md5"}));
  EXPECT_EQ(warn, (std::set<std::string>{"diffie-hellman-group14-sha1"}));

  // A modern server: nothing broken.
  auto good = ParseKexinitPacket(
      KexinitPacket({"curve25519-sha256", "ssh-ed25519", "chacha20-poly1305@openssh.com",
                     "chacha20-poly1305@openssh.com", "hmac-sha2-256-etm@openssh.com",
                     "hmac-sha2-256-etm@openssh.com", "none", "none", "", ""}),
      "t");
  ASSERT_TRUE(good);
  for (const auto& w : network::JudgeSshAlgorithms(*good))
    EXPECT_NE(w["level"], "fail") << w.dump();
}

TEST(ProtocolsSsh, KexinitHostileInputFailsCleanly) {
  const std::string pkt = KexinitPacket({"a", "b", "c", "d", "e", "f", "g", "h", "", ""});
  // Cut anywhere before the end of the payload (the padding after it is not needed).
  const std::size_t payload_end = pkt.size() - static_cast<unsigned char>(pkt[4]);
  for (std::size_t cut = 0; cut < payload_end; cut += 3) {
    auto k = ParseKexinitPacket(pkt.substr(0, cut), "t");
    EXPECT_FALSE(k) << cut;
  }
  // A length far beyond the RFC's 35000 bytes.
  auto big = ParseKexinitPacket(std::string("\x7f\xff\xff\xff\x04", 5), "t");
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().what.find("out of range"), std::string::npos);
  // A name-list that claims more than the packet holds.
  std::string lie = pkt;
  lie[5 + 17] = '\x7f';
  EXPECT_FALSE(ParseKexinitPacket(lie, "t"));
  // Another message where KEXINIT belongs.
  std::string other = pkt;
  other[5] = '\x15';
  auto o = ParseKexinitPacket(other, "t");
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().offset, 5u);
  EXPECT_FALSE(ParseSshIdent(std::string(10000, 'x') + "\n", "t"));
  EXPECT_FALSE(ParseSshIdent("SSH-2.0-" + std::string(300, 'a') + "\r\n", "t"));
}

// The SSH wire form of a host key: string type, then its fields as strings/mpints.
std::string SshKeyBlob(const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& f : fields) {
    const auto n = static_cast<std::uint32_t>(f.size());
    out += static_cast<char>(n >> 24);
    out += static_cast<char>(n >> 16);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n);
    out += f;
  }
  return out;
}

TEST(ProtocolsSsh, HostKeyBlobTypeAndSize) {
  // RSA: e = 65537, n of 1024 bits (an mpint with its leading zero byte).
  std::string n(1, '\0');
  n += '\xc1';
  n += std::string(127, '\x5a');
  auto rsa = ParseSshHostKeyBlob(SshKeyBlob({"ssh-rsa", std::string("\x01\x00\x01", 3), n}), "t");
  ASSERT_TRUE(rsa) << rsa.error().Describe();
  EXPECT_EQ(rsa->type, "ssh-rsa");
  EXPECT_EQ(rsa->bits, 1024);
  auto ec = ParseSshHostKeyBlob(
      SshKeyBlob({"ecdsa-sha2-nistp384", "nistp384", std::string(97, '\x04')}), "t");
  ASSERT_TRUE(ec);
  EXPECT_EQ(ec->curve, "nistp384");
  EXPECT_EQ(ec->bits, 384);
  auto ed = ParseSshHostKeyBlob(SshKeyBlob({"ssh-ed25519", std::string(32, 'k')}), "t");
  ASSERT_TRUE(ed);
  EXPECT_EQ(ed->bits, 256);
  auto dsa = ParseSshHostKeyBlob(
      SshKeyBlob({"ssh-dss", std::string("\x00\x80", 2) + std::string(127, 'p')}), "t");
  ASSERT_TRUE(dsa);
  EXPECT_EQ(dsa->bits, 1024);
  // Hostile: every cut of the RSA blob, a length beyond the blob, unknown types and curves.
  const std::string whole = SshKeyBlob({"ssh-rsa", std::string("\x01\x00\x01", 3), n});
  for (std::size_t cut = 0; cut + 1 < whole.size(); cut += 7)
    EXPECT_FALSE(ParseSshHostKeyBlob(whole.substr(0, cut), "t")) << cut;
  auto lie = ParseSshHostKeyBlob(std::string("\x7f\xff\xff\xffssh-rsa", 11), "t");
  ASSERT_FALSE(lie);
  EXPECT_EQ(lie.error().input, "t");
  EXPECT_FALSE(ParseSshHostKeyBlob(SshKeyBlob({"ssh-foo", "x"}), "t"));
  EXPECT_FALSE(ParseSshHostKeyBlob(SshKeyBlob({"ecdsa-sha2-x", "brainpool", "q"}), "t"));
  EXPECT_FALSE(ParseSshHostKeyBlob(SshKeyBlob({"ssh-rsa", "\x01", std::string(4, '\0')}), "t"));
  EXPECT_FALSE(ParseSshHostKeyBlob(std::string(kSshMaxKeyBlob + 1, 'a'), "t"));
}

TEST(ProtocolsSnmp, SnmpRequestAndResponse) {
  const std::string req = SnmpGetSysDescr(1, "public");
  EXPECT_EQ(static_cast<unsigned char>(req[0]), 0x30u);
  EXPECT_EQ(static_cast<std::size_t>(req[1]) + 2, req.size());
  EXPECT_NE(req.find("public"), std::string::npos);
  // sysDescr.0 = 1.3.6.1.2.1.1.1.0, all eight bytes (the last is 0), then NULL.
  EXPECT_NE(req.find(std::string("\x06\x08\x2b\x06\x01\x02\x01\x01\x01\x00\x05\x00", 12)),
            std::string::npos);
  // A GetResponse made from the request: same shape, PDU tag a2, value OCTET STRING.
  std::string resp = req;
  const auto pdu = resp.find('\xa0');
  ASSERT_NE(pdu, std::string::npos);
  resp[pdu] = '\xa2';
  const std::string value = "Linux cam 4.9";
  const auto null_at = resp.rfind(std::string("\x05\x00", 2));
  resp = resp.substr(0, null_at) + "\x04" + static_cast<char>(value.size()) + value;
  // fix the lengths: outer, pdu, varbind list, varbind
  const int grow = static_cast<int>(value.size());
  resp[1] = static_cast<char>(resp[1] + grow);
  resp[pdu + 1] = static_cast<char>(resp[pdu + 1] + grow);
  const auto vbl = resp.find('\x30', pdu + 2 + 9);
  resp[vbl + 1] = static_cast<char>(resp[vbl + 1] + grow);
  resp[vbl + 3] = static_cast<char>(resp[vbl + 3] + grow);
  EXPECT_EQ(SnmpSysDescr(resp), value);
  EXPECT_EQ(SnmpSysDescr(req), "");  // a request is not a response
  for (std::size_t cut = 0; cut < resp.size(); ++cut)
    EXPECT_EQ(SnmpSysDescr(resp.substr(0, cut)), "");
}

TEST(ProtocolsMqtt, MqttPublishAndTruncation) {
  const std::string s =
      test::MqttConnect("c", "u", "p") + test::MqttPublish("home/temp", "{\"t\":21.5}");
  auto m = ParseMqtt(s);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[1].topic, "home/temp");
  EXPECT_EQ(m[1].payload, "{\"t\":21.5}");
  // Cut in the middle of the PUBLISH: only the CONNECT.
  EXPECT_EQ(ParseMqtt(std::string_view(s).substr(0, s.size() - 3)).size(), 1u);
}

TEST(ProtocolsTls, TlsHellos) {
  TlsInfo info;
  ParseTlsClient(test::TlsClientHello("api.vendor.example", {0x0304, 0x0303}, {0x1301, 0xc02f}),
                 info);
  ParseTlsServer(test::TlsServerHello(0x0304, 0x1301), info);
  EXPECT_TRUE(info.client_hello);
  EXPECT_EQ(info.sni, "api.vendor.example");
  EXPECT_EQ(info.offered_versions, (std::vector<std::uint16_t>{0x0304, 0x0303}));
  EXPECT_EQ(info.offered_ciphers, 2u);
  EXPECT_TRUE(info.server_hello);
  EXPECT_EQ(TlsVersionName(info.version), "TLSv1.3");
  EXPECT_EQ(info.cipher, 0x1301);
  EXPECT_FALSE(traffic::WeakTlsCipher(0x1301));
  EXPECT_TRUE(traffic::WeakTlsCipher(0x0005));  // TLS_RSA_WITH_RC4_128_SHA
  EXPECT_TRUE(traffic::WeakTlsCipher(0x0000));  // TLS_NULL_WITH_NULL_NULL
  // A truncated ServerHello yields no negotiated version.
  TlsInfo cut;
  const std::string sh = test::TlsServerHello(0x0303, 0xc02f);
  ParseTlsServer(std::string_view(sh).substr(0, 20), cut);
  EXPECT_FALSE(cut.server_hello);
}

TEST(ProtocolsDns, DnsAnswersWithCompression) {
  const std::string r = test::DnsResponse("cloud.vendor.example", "198.51.100.7");
  auto a = ParseDnsResponse(AsBytes(r));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].name, "cloud.vendor.example");
  EXPECT_EQ(ToString(a[0].address), "198.51.100.7");
  // A pointer that loops onto itself is refused.
  std::string loop = r;
  loop[12] = '\xc0';
  loop[13] = '\x0c';
  EXPECT_TRUE(ParseDnsResponse(AsBytes(loop)).empty());
  EXPECT_TRUE(ParseDnsResponse(AsBytes(std::string_view(r).substr(0, 30))).empty());
}

TEST(ProtocolsCoap, Coap) {
  auto m = ParseCoap(AsBytes(test::CoapPost("/sensors/temp", "21.5")));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->code, 2);
  EXPECT_EQ(m->uri, "/sensors/temp");
  EXPECT_EQ(m->payload, "21.5");
  EXPECT_FALSE(ParseCoap(AsBytes(std::string("\x80\x01\x00\x01", 4))));  // version 2
}

}  // namespace
}  // namespace iotcop::protocols
