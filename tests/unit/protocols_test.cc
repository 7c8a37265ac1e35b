// The shared protocol parsers (src/protocols/). HTTP first: the live probe (network/http.h), the
// login probes (network/login/) and the capture analysis (traffic/) read the same bytes through
// one parser, each with its own syntax; these tests pin what each of them gets.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "network/http.h"
#include "network/login/http_auth.h"
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
  std::string s = fmt::format("{} {} '{}'", r->version, r->status, r->reason);
  for (const auto& [k, v] : r->headers) s += fmt::format(" [{}={}]", k, v);
  return s + fmt::format(" body='{}'{}", r->body, r->truncated ? " truncated" : "");
}

// What the login probes (Exchange, robustness) read: the head, where it ends, whether the whole
// response is in.
std::string Login(std::string_view bytes) {
  auto h = network::login::ParseResponseHead(bytes, "t");
  const std::string end = fmt::format("end={} complete={}", network::login::HeadEnd(bytes),
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
  // The head itself cut short: nothing for anyone.
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Len";
  EXPECT_EQ(Probe(head), "error truncated at 28");
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
  auto h = network::login::ParseResponseHead(r, "t");
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
  auto login199 = network::login::ParseResponseHead(with(199), "t");
  ASSERT_TRUE(login199);
  EXPECT_EQ(login199->headers.size(), 200u);
  EXPECT_EQ(login199->Header("content-type"), "text/plain");
  auto login200 = network::login::ParseResponseHead(with(200), "t");
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
  // A Content-Length that is not a number: an error for the probe, its leading digits (or 0) for
  // the capture analysis.
  const std::string bad = "HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\nabcdef";
  EXPECT_EQ(Probe(bad), "error corrupt at -");
  EXPECT_EQ(Capture(bad), "@0 200 type='' disposition='' length=3 start='abc'\n");
  EXPECT_EQ(Capture("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nabc"),
            "@0 200 type='' disposition='' length=0 start=''\n");
  // Bare LF line ends in a capture.
  EXPECT_EQ(CaptureRequests("GET /a HTTP/1.0\nHost: h\n\nGET /b HTTP/1.0\n\n"),
            "@0 GET /a HTTP/1.0 host='h' agent='' type='' auth='' body=''\n"
            "@25 GET /b HTTP/1.0 host='' agent='' type='' auth='' body=''\n");
  // Chunked with a trailer, and Transfer-Encoding written in capitals.
  const std::string trailer =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: 1\r\n\r\n"
      "HTTP/1.1 204 No Content\r\n\r\n";
  EXPECT_EQ(Probe(trailer).substr(0, 62),
            "HTTP/1.1 200 'OK' [transfer-encoding=chunked] body='ok'");
  EXPECT_EQ(Capture(trailer), "@0 200 type='' disposition='' length=2 start='ok'\n");
  const std::string caps =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
  EXPECT_EQ(Probe(caps), "HTTP/1.1 200 'OK' [transfer-encoding=Chunked] body='ok'");
  EXPECT_EQ(Capture(caps),
            "@0 200 type='' disposition='' length=12 start='2\r\nok\r\n0\r\n\r\n'\n");
  // A head whose empty line follows a bare LF line end ("\n\r\n").
  const std::string mixed = "HTTP/1.1 200 OK\nServer: x\n\r\nbody";
  EXPECT_EQ(Probe(mixed), "error truncated at 32");
  EXPECT_EQ(Login(mixed), "HTTP/1.1 200 'OK' [server=x] size=28 end=0 complete=false");
  EXPECT_EQ(Capture(mixed), "");
}

}  // namespace
}  // namespace iotcop
