// File: network/login.cc
// The dictionary runner: for each endpoint whose service has a login protocol (network/login/),
// anonymous access first, then the default-credential dictionary (the firmware checks' own, from
// firmware/credentials.h, plus --credentials files), the service's usual user names first; at most
// max_attempts tries with a delay; stop at the first success; then judge brute-force resistance.
#include "network/login.h"

#include <algorithm>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "credentials/passwords.h"
#include "network/login/brute_force.h"
#include "network/login/protocol.h"
#include "network/socket.h"
#include "protocols/address.h"

namespace iotcop::network {
namespace {

using login::Attempt;
using login::Credential;
using login::Outcome;

Result<std::unique_ptr<login::Protocol>> ProtocolFor(const Endpoint& e, const LoginOptions& o,
                                                     const Limits& l) {
  const std::string& s = e.service;
  if (s == "telnet") return login::MakeTelnet(e, l);
  if (s == "ssh") return login::MakeSsh(e, l);
  if (s == "ftp") return login::MakeFtp(e, l);
  if (s == "mqtt" || s == "mqtts" || s == "secure-mqtt") return login::MakeMqtt(e, l);
  if (s == "http" || s == "https" || s == "http-alt") return login::MakeHttp(e, l, o.http_form);
  if (s == "rtsp") return login::MakeRtsp(e, l);
  return MakeError(Errc::kNotThisFormat, "no login protocol for " + s);
}

// Anonymous logins, then the dictionary with the protocol's preferred users first; entries
// without a user name are tried with each preferred user. Deduplicated, cut to `max`.
std::vector<Credential> Candidates(const std::string& service,
                                   const std::vector<credentials::DefaultCredential>& dict,
                                   std::size_t max) {
  std::vector<Credential> out = login::Anonymous(service);
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& c : out) seen.insert({c.user, c.password});
  auto add = [&](const std::string& u, const credentials::DefaultCredential& d) {
    if (seen.insert({u, d.password}).second) out.push_back({u, d.password, d.source, false});
  };
  const auto users = login::PreferredUsers(service);
  for (const auto& u : users)
    for (const auto& d : dict)
      if (d.username == u || d.username.empty()) add(u, d);
  for (const auto& d : dict)
    if (!d.username.empty()) add(d.username, d);
  if (out.size() > max) out.resize(max);
  return out;
}

std::string Secret(const Credential& c) { return c.anonymous ? "" : Redact(c.password); }

// Where a login was tried, as a reader would type it: https://127.0.0.13:443/ for HTTP in TLS.
std::string LoginUrl(const Endpoint& e) {
  std::string scheme = e.service;
  if (scheme == "http" || scheme == "https" || scheme == "http-alt")
    scheme = e.tls ? "https" : "http";
  else if (scheme == "mqtt" && e.tls)
    scheme = "mqtts";
  return fmt::format("{}://{}/", scheme, protocols::HostPort(e.address, e.port));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> LoginCandidates(const Endpoint& e,
                                                                 const LoginOptions& options) {
  std::vector<std::string> errors;
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c :
       Candidates(e.service, credentials::LoadDictionary(options.extra_credentials, errors),
                  std::max<std::size_t>(1, options.max_attempts)))
    out.emplace_back(c.user, c.password);
  return out;
}

void TryDefaultLogins(const std::vector<Endpoint>& endpoints, const LoginOptions& options,
                      const Limits& limits, Assessment& a) {
  std::vector<std::string> errors;
  const auto dict = credentials::LoadDictionary(options.extra_credentials, errors);
  for (const auto& e : errors) a.problems.push_back({"warning", "probe", "", "", std::nullopt, e});
  for (const Endpoint& e : endpoints) {
    const std::string input = e.input.empty() ? e.address : e.input;
    auto proto = ProtocolFor(e, options, limits);
    if (!proto) {
      if (proto.error().code != Errc::kNotThisFormat)
        a.problems.push_back({"warning", "probe", input, e.Locator(), std::nullopt,
                              "default-credential logins not tried: " + proto.error().Describe()});
      continue;
    }
    login::Protocol& p = **proto;
    const auto candidates =
        Candidates(e.service, dict, std::max<std::size_t>(1, options.max_attempts));
    std::vector<Attempt> made;
    std::size_t errors_in_a_row = 0;
    std::optional<std::size_t> success;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (i > 0 && options.delay.count() > 0) std::this_thread::sleep_for(options.delay);
      Attempt at = p.Try(candidates[i]);
      if (at.method.empty()) at.method = p.method();
      // Never let an echo of the password into the excerpt.
      const std::string& pw = candidates[i].password;
      for (std::size_t k = pw.size() >= 3 ? at.excerpt.find(pw) : std::string::npos;
           k != std::string::npos; k = at.excerpt.find(pw))
        at.excerpt.replace(k, pw.size(), Redact(pw));
      made.push_back(at);
      if (at.outcome == Outcome::kAccepted) {
        success = i;
        break;
      }
      if (at.outcome == Outcome::kUnsupported) break;
      errors_in_a_row = at.outcome == Outcome::kError ? errors_in_a_row + 1 : 0;
      if (errors_in_a_row >= 3) break;
      // Once locked out, further guesses only prolong the lockout.
      if (at.outcome == Outcome::kBlocked && i > 0) break;
    }
    auto fact_for = [&](std::size_t i, bool ok) {
      const Attempt& at = made[i];
      // Let in before any credential was asked: recorded as access without credentials.
      const Credential c =
          at.without_credentials ? Credential{"", "", "no credential asked", true} : candidates[i];
      Evidence ev;
      ev.source = InputKind::kNetwork;
      ev.input = input;
      ev.endpoint = e.Locator();
      const std::string url = LoginUrl(e);
      ev.excerpt = BoundExcerpt(
          c.anonymous && c.user.empty()
              ? fmt::format("{} {} without credentials -> {}", at.method, url, at.excerpt)
              : fmt::format("{} {} user={} password={} -> {}", at.method, url, c.user, Secret(c),
                            at.excerpt));
      nlohmann::json v = {{"service", e.service},
                          {"endpoint", e.Locator()},
                          {"url", url},
                          {"tls", e.tls},
                          {"method", at.method},
                          {"user", c.user},
                          {"password", Secret(c)},
                          {"anonymous", c.anonymous},
                          {"success", ok},
                          {"attempts", i + 1},
                          {"latency_ms", at.latency.count()},
                          {"source", c.source},
                          {"outcome", login::OutcomeName(at.outcome)}};
      return a.facts.Add(facts::kLoginAttempt, std::move(v), std::move(ev), "network.login");
    };
    if (made.empty()) continue;
    if (success) {
      fact_for(*success, true);
    } else {
      const std::size_t last = made.size() - 1;
      const bool all_errors = std::all_of(
          made.begin(), made.end(), [](const Attempt& x) { return x.outcome == Outcome::kError; });
      if (all_errors) {
        a.problems.push_back(
            {"warning", "probe", input, e.Locator(), std::nullopt,
             fmt::format("{} logins could not be tried: {}", p.method(), made.back().excerpt)});
        continue;
      }
      if (made[last].outcome != Outcome::kUnsupported) fact_for(last, false);
    }
    const auto j = login::JudgeBruteForce(made);
    Evidence ev;
    ev.source = InputKind::kNetwork;
    ev.input = input;
    ev.endpoint = e.Locator();
    ev.excerpt = BoundExcerpt(fmt::format("{}: {}", p.method(), j.reason));
    a.facts.Add(facts::kBruteForceResistance,
                {{"service", e.service},
                 {"endpoint", e.Locator()},
                 {"method", p.method()},
                 {"result", j.result},
                 {"failures", j.failures},
                 {"first_latency_ms", j.first_latency_ms},
                 {"last_latency_ms", j.last_latency_ms},
                 {"attempts", made.size()},
                 {"reason", j.reason}},
                std::move(ev), "network.login");
  }
}

}  // namespace iotcop::network
