// File: tests/network/unit/network_login_test.cc
// The pure parts of the login and robustness probes: brute-force judgement, HTTP heads and
// challenges, Digest answers (RFC 2617's worked example), telnet negotiation, payload templates.
#include <gtest/gtest.h>

#include "core/paths.h"
#include "network/login/brute_force.h"
#include "network/login/http_auth.h"
#include "network/robustness_payloads.h"
#include "protocols/http.h"
#include "protocols/telnet.h"

namespace iotcop::network {
namespace {

using login::Attempt;
using login::Outcome;

Attempt A(Outcome o, long ms) {
  Attempt a;
  a.outcome = o;
  a.latency = std::chrono::milliseconds(ms);
  a.excerpt = "x";
  return a;
}

TEST(NetworkLoginUnit, BruteForceJudgement) {
  std::vector<Attempt> flat(8, A(Outcome::kRejected, 20));
  EXPECT_EQ(login::JudgeBruteForce(flat).result, "none");
  EXPECT_EQ(login::JudgeBruteForce(flat).failures, 8u);

  std::vector<Attempt> growing;
  for (long i = 0; i < 8; ++i) growing.push_back(A(Outcome::kRejected, 20 + i * i * 40));
  EXPECT_EQ(login::JudgeBruteForce(growing).result, "slowdown");

  std::vector<Attempt> slow(6, A(Outcome::kRejected, 1500));
  EXPECT_EQ(login::JudgeBruteForce(slow).result, "slowdown");

  std::vector<Attempt> locked(4, A(Outcome::kRejected, 20));
  locked.push_back(A(Outcome::kBlocked, 0));
  auto j = login::JudgeBruteForce(locked);
  EXPECT_EQ(j.result, "lockout");
  EXPECT_EQ(j.failures, 4u);

  std::vector<Attempt> dropped(3, A(Outcome::kRejected, 20));
  dropped.push_back(A(Outcome::kError, 0));
  EXPECT_EQ(login::JudgeBruteForce(dropped).result, "disconnect");

  EXPECT_EQ(login::JudgeBruteForce({A(Outcome::kRejected, 5), A(Outcome::kAccepted, 5)}).result,
            "undetermined");
  EXPECT_EQ(login::JudgeBruteForce({A(Outcome::kUnsupported, 0)}).result, "no-password-login");
}

TEST(NetworkLoginUnit, ResponseHeadAndChallenges) {
  const std::string r =
      "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"a, b\", "
      "nonce=\"n1\", qop=\"auth,auth-int\", algorithm=MD5, Basic realm=\"x\"\r\n"
      "Content-Length: 3\r\n\r\nabc";
  EXPECT_EQ(protocols::HttpHeadEnd(r), r.size() - 3);
  EXPECT_TRUE(login::ResponseComplete(r));
  EXPECT_FALSE(login::ResponseComplete(r.substr(0, r.size() - 1)));
  auto h = protocols::ParseHttpHead(r, "t");
  ASSERT_TRUE(h.ok()) << h.error().Describe();
  EXPECT_EQ(h->status, 401);
  auto ch = protocols::ParseChallenges(h->Header("www-authenticate"));
  ASSERT_EQ(ch.size(), 2u);
  EXPECT_EQ(ch[0].scheme, "digest");
  EXPECT_EQ(ch[0].params["realm"], "a, b");
  EXPECT_EQ(ch[0].params["qop"], "auth,auth-int");
  EXPECT_EQ(ch[1].scheme, "basic");
  EXPECT_EQ(ch[1].params["realm"], "x");

  auto bad = protocols::ParseHttpHead("HTTP/1.1 4x1 No\r\n\r\n", "dev:80");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().offset, 9u);
  EXPECT_NE(bad.error().Describe().find("dev:80"), std::string::npos);
  EXPECT_FALSE(protocols::ParseHttpHead("HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "t").ok());
  EXPECT_FALSE(protocols::ParseHttpHead("SSH-2.0-x\r\n\r\n", "t").ok());
}

TEST(NetworkLoginUnit, DigestMatchesRfc2617Example) {
  protocols::Challenge c{"digest",
                         {{"realm", "testrealm@host.com"},
                          {"qop", "auth,auth-int"},
                          {"nonce", "dcd98b7102dd2f0e8b11d0f600bfb0c093"},
                          {"opaque", "5ccc069c403ebaf9f0171e9517f40e41"}}};
  auto h = login::DigestAuthorization(c, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", 1,
                                      "0a4f113b");
  ASSERT_TRUE(h.ok());
  EXPECT_NE(h->find("response=\"6629fae49393a05397450978507c4ef1\""), std::string::npos) << *h;
  EXPECT_NE(h->find("nc=00000001"), std::string::npos);
  c.params["algorithm"] = "SHA-512-256";
  EXPECT_FALSE(login::DigestAuthorization(c, "u", "p", "GET", "/").ok());
  EXPECT_EQ(login::BasicAuthorization("admin", "admin"), "Basic YWRtaW46YWRtaW4=");
}

TEST(NetworkLoginUnit, TelnetNegotiationIsRefusedAndStripped) {
  // IAC DO ECHO, IAC WILL SGA, IAC SB NAWS ... IAC SE, "lo", IAC IAC, "gin:", then a cut IAC WILL.
  const std::string in("\xff\xfd\x01\xff\xfb\x03\xff\xfa\x1f\x00\x50\xff\xf0lo\xff\xffgin:\xff\xfb",
                       23);
  auto d = protocols::DecodeTelnet(in);
  EXPECT_EQ(d.text, std::string("lo\xffgin:"));
  EXPECT_EQ(d.reply, std::string("\xff\xfc\x01\xff\xfe\x03", 6));
  EXPECT_EQ(d.used, in.size() - 2);
  EXPECT_EQ(protocols::DecodeTelnet("plain login: ").text, "plain login: ");
}

TEST(NetworkRobustnessUnit, PayloadTemplates) {
  auto p = ExpandPayload("GET /{repeat 3 ab}<{marker}> {hex 00 ff}{host}{x}", "10.0.0.1", "M", "t");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, std::string("GET /ababab<M> \x00\xff", 17) + "10.0.0.1{x}");
  EXPECT_FALSE(ExpandPayload("{repeat 2000000 AA}", "h", "m", "big").ok());
  EXPECT_FALSE(ExpandPayload("{hex 0}", "h", "m", "odd").ok());
  auto unclosed = ExpandPayload("ab{host", "h", "m", "unclosed");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(unclosed.error().offset, 2u);
  // The shipped campaign loads and every payload expands.
  auto set = LoadPayloads((DataDir() / "rules" / "robustness.yaml").string());
  ASSERT_TRUE(set.ok()) << set.error().Describe();
  for (const char* proto : {"http", "upnp", "mqtt", "coap"})
    EXPECT_FALSE((*set)[proto].empty()) << proto;
}

}  // namespace
}  // namespace iotcop::network
