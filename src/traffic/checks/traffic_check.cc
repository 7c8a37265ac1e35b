// File: traffic/checks/traffic_check.cc
// Helpers of the traffic checks (traffic/checks/traffic_check.h).
#include "traffic/checks/traffic_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/fact_kinds.h"

namespace iotcop::trafficcheck {

std::vector<const Fact*> CleartextDestinations(const FactStore& facts) {
  std::vector<const Fact*> out;
  for (const Fact* d : facts.OfKind(facts::kDestination)) {
    // Name resolution and time (DNS, NTP, DHCP, mDNS) are cleartext by design: not judged here.
    const int port = d->value.value("port", 0);
    const bool infrastructure =
        checkutil::Str(*d, "transport") == "udp" &&
        (port == 53 || port == 123 || port == 67 || port == 68 || port == 5353);
    if (!infrastructure && !d->value.value("encrypted", true)) out.push_back(d);
  }
  return out;
}

std::string DestinationLabel(const Fact& d) {
  const std::string name = checkutil::Str(d, "name");
  const std::string addr = fmt::format("{}:{}/{}", checkutil::Str(d, "address"),
                                       d.value.value("port", 0), checkutil::Str(d, "transport"));
  return name.empty() ? addr : fmt::format("{} ({})", name, addr);
}

std::string Labels(const std::vector<const Fact*>& facts, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < facts.size() && i < max; ++i) {
    out += (i ? ", " : "") + DestinationLabel(*facts[i]);
  }
  if (facts.size() > max) out += fmt::format(" and {} more", facts.size() - max);
  return out;
}

void JudgeCommunication(CheckContext& ctx, const std::string& provision, const std::string& what) {
  const auto all = ctx.facts().OfKind(facts::kDestination);
  std::vector<FactId> basis;
  for (const Fact* d : all) basis.push_back(d->id);
  if (all.empty()) {
    ctx.Inconclusive(provision,
                     "the capture shows no flow of the device: a capture of its normal "
                     "operation (setup, cloud connection, update check) would decide it",
                     basis);
    return;
  }
  const auto clear = CleartextDestinations(ctx.facts());
  if (clear.empty()) {
    ctx.Pass(provision,
             fmt::format("no {} in the capture, and all {} destinations were reached over "
                         "encrypted protocols",
                         what, all.size()),
             basis);
  } else {
    ctx.Inconclusive(provision,
                     fmt::format("no {} in the capture, but {} of {} destinations were reached in "
                                 "cleartext: {}; what they carry decides it",
                                 what, clear.size(), all.size(), Labels(clear)),
                     basis);
  }
}

namespace {

struct DownloadUrl {
  std::string host, path;
};

DownloadUrl SplitDownloadUrl(std::string_view url) {
  DownloadUrl u;
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return u;
  std::string_view rest = url.substr(scheme + 3);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  if (const auto colon = authority.rfind(':');
      colon != std::string_view::npos && authority.front() != '[')
    authority = authority.substr(0, colon);
  for (char c : authority)
    u.host.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  u.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  return u;
}

}  // namespace

std::vector<const Fact*> UpdateSources(const FactStore& facts, std::string_view url, bool& exact) {
  using checkutil::Str;
  const DownloadUrl got = SplitDownloadUrl(url);
  std::vector<const Fact*> out;
  auto consider = [&](const Fact* f, const std::string& named) {
    const DownloadUrl u = SplitDownloadUrl(named);
    if (u.host.empty() || u.host != got.host) return;
    if (u.path == got.path.substr(0, got.path.find('?'))) exact = true;
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  };
  for (const Fact* m : facts.OfKind(facts::kUpdateMechanism)) {
    consider(m, Str(*m, "url"));
    for (const auto& u : m->value.value("urls", nlohmann::json::array()))
      if (u.is_string()) consider(m, u.get<std::string>());
  }
  for (const Fact* e : facts.OfKind(facts::kEndpoint)) {
    if (Str(*e, "purpose") == "update") consider(e, Str(*e, "url"));
  }
  // The declaration: an updates.* answer that names the host ("from update.vendor.example").
  for (const Fact* c : facts.OfKind(facts::kClaim)) {
    if (!Str(*c, "field").starts_with("updates.") || got.host.empty()) continue;
    const std::string text = c->value.value("value", nlohmann::json()).dump();
    std::string lower;
    for (char ch : text)
      lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    if (lower.find(got.host) != std::string::npos &&
        std::find(out.begin(), out.end(), c) == out.end())
      out.push_back(c);
  }
  return out;
}

bool IsUpdateDownload(const FactStore& facts, const Fact& download,
                      std::vector<const Fact*>& sources, bool& exact) {
  sources = UpdateSources(facts, checkutil::Str(download, "url"), exact);
  return download.value.value("firmware_like", false) || !sources.empty();
}

}  // namespace iotcop::trafficcheck
