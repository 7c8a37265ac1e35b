// File: network/robustness.cc
// The robustness campaign (--robustness; 5.13-1): for every HTTP, UPnP, MQTT and CoAP endpoint, a
// liveness probe, then each batch of rules/robustness.yaml payloads (one fresh connection or
// datagram each, answer read within Limits::io_timeout) and a liveness probe after each batch.
// Facts: crash (the service stops answering: refused / reset), hang (connects but does not answer
// in time), reflected / executed / traversal (seen in an answer), and one summary per endpoint.
// The campaign against an endpoint stops at its first crash or hang.
#include "network/robustness.h"

#include <openssl/rand.h>

#include <regex>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/fact_kinds.h"
#include "core/paths.h"
#include "network/client.h"
#include "network/login/http_auth.h"
#include "network/login/protocol.h"
#include "network/robustness_payloads.h"
#include "network/socket.h"
#include "protocols/address.h"

namespace iotcop::network {
namespace {

enum class Alive { kYes, kRefused, kSilent };

bool UpnpPort(std::uint16_t p) {
  return p == 1900 || p == 2869 || p == 5000 || (p >= 49152 && p <= 49154);
}

std::string Family(const Endpoint& e) {
  const std::string& s = e.service;
  if (s == "coap" || (e.transport == "udp" && e.port == 5683)) return "coap";
  if (s == "mqtt" || s == "mqtts" || s == "secure-mqtt") return "mqtt";
  if (s == "upnp") return "upnp";
  if (s == "http" || s == "https" || s == "http-alt") return UpnpPort(e.port) ? "upnp" : "http";
  return "";
}

std::string Hex(std::string_view s) {
  std::string r;
  for (unsigned char c : s) r += fmt::format("{:02x}", c);
  return r;
}

// A well-formed request of the protocol and whether the answer to it is a real one.
Alive ProbeAlive(const Endpoint& e, const std::string& family, const Limits& l,
                 std::string* answer) {
  auto conn = Connection::Open(e, l);
  if (!conn) return conn.error().code == Errc::kTimeout ? Alive::kSilent : Alive::kRefused;
  Received r;
  if (family == "mqtt") {
    static const std::string kConnect("\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00", 14);
    if (!conn->Send(kConnect)) return Alive::kRefused;
    r = conn->ReadUntil([](std::string_view d) { return d.size() >= 2; }, l.io_timeout);
    if (answer) *answer = Hex(r.data.substr(0, 8));
    if (r.data.size() >= 2 && static_cast<unsigned char>(r.data[0]) == 0x20) return Alive::kYes;
  } else if (family == "coap") {
    static const std::string kGet(
        "\x40\x01\x7a\x01\xbb.well-known\x04"
        "core",
        20);
    if (!conn->Send(kGet)) return Alive::kRefused;
    r = conn->ReadUntil([](std::string_view d) { return !d.empty(); }, l.io_timeout);
    if (answer) *answer = Hex(r.data.substr(0, 8));
    if (r.data.size() >= 4 && (static_cast<unsigned char>(r.data[0]) >> 6) == 1) return Alive::kYes;
  } else {
    const std::string req = fmt::format("GET / HTTP/1.0\r\nHost: {}\r\nUser-Agent: iotcop\r\n\r\n",
                                        protocols::UrlHost(e.address));
    if (!conn->Send(req)) return Alive::kRefused;
    r = conn->ReadUntil([](std::string_view d) { return protocols::HttpHeadEnd(d) != 0; },
                        l.io_timeout);
    if (answer) *answer = login::Printable(r.data, 80);
    if (r.data.starts_with("HTTP/")) return Alive::kYes;
  }
  if (r.timed_out) return Alive::kSilent;
  return r.closed && r.data.empty() ? Alive::kRefused : Alive::kSilent;
}

struct Campaign {
  const Endpoint& e;
  const Limits& l;
  Assessment& a;
  std::string input;
  std::string marker;

  void Fact(const std::string& kind, const std::string& batch, const std::string& payload,
            const std::string& detail, const std::string& excerpt,
            nlohmann::json extra = nlohmann::json::object()) {
    Evidence ev;
    ev.source = InputKind::kNetwork;
    ev.input = input;
    ev.endpoint = e.Locator();
    ev.excerpt = BoundExcerpt(excerpt);
    nlohmann::json v = {{"service", e.service}, {"endpoint", e.Locator()}, {"kind", kind},
                        {"batch", batch},       {"payload", payload},      {"detail", detail}};
    v.update(extra);
    a.facts.Add(facts::kRobustnessResult, std::move(v), std::move(ev), "network.robustness");
  }

  // Looks for the markers in an answer; adds a fact per kind found.
  void Inspect(const std::string& answer, const std::string& batch, const std::string& id) {
    static const std::regex kPasswd(R"(root:[^:\n]{0,128}:0:0:)");
    const std::string reflected = "<" + marker + ">";
    auto around = [&](std::size_t at) {
      const std::size_t from = at > 40 ? at - 40 : 0;
      return login::Printable(answer.substr(from, 160), 160);
    };
    if (auto at = answer.find(marker + "42"); at != std::string::npos)
      Fact("executed", batch, id,
           "the answer holds the result of $((6*7)) next to the marker: a shell ran our input",
           around(at));
    if (auto at = answer.find(reflected); at != std::string::npos)
      Fact("reflected", batch, id, "the answer echoes the marker with its angle brackets unescaped",
           around(at));
    std::smatch m;
    if (std::regex_search(answer, m, kPasswd))
      Fact("traversal", batch, id, "the answer holds a passwd line: a file outside the web root",
           around(static_cast<std::size_t>(m.position(0))));
  }

  std::string Send(const std::string& family, const std::string& bytes) {
    auto conn = Connection::Open(e, l);
    if (!conn) return {};
    if (!conn->Send(bytes)) return {};
    Received r;
    if (family == "coap") {
      r = conn->ReadUntil([](std::string_view d) { return !d.empty(); }, l.io_timeout);
    } else if (family == "mqtt") {
      r = conn->ReadUntil([](std::string_view d) { return d.size() >= 4; }, l.io_timeout);
    } else {
      r = conn->ReadUntil([](std::string_view d) { return login::ResponseComplete(d); },
                          l.io_timeout);
    }
    return r.data;
  }

  void Run(const std::vector<Batch>& batches, const std::string& family, std::size_t& sent,
           std::size_t& done_batches, bool& stopped) {
    for (const Batch& b : batches) {
      std::vector<std::string> ids;
      for (const Payload& p : b.payloads) {
        auto bytes = ExpandPayload(p.send, e.address, marker, p.id);
        if (!bytes) continue;  // checked when loaded
        ids.push_back(p.id);
        ++sent;
        Inspect(Send(family, *bytes), b.name, p.id);
      }
      ++done_batches;
      std::string answer;
      Alive alive = ProbeAlive(e, family, l, &answer);
      if (alive == Alive::kYes) continue;
      // A device that restarts (watchdog) is back soon: still a crash, but say so.
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      const bool back = ProbeAlive(e, family, l, nullptr) == Alive::kYes;
      const std::string which = fmt::format("{} ({})", b.name, fmt::join(ids, ", "));
      if (alive == Alive::kRefused)
        Fact("crash", b.name, fmt::format("{}", fmt::join(ids, ",")),
             fmt::format("after batch {} the service refuses connections{}", which,
                         back ? " (it came back half a second later: restarted)" : ""),
             fmt::format("liveness probe after batch {}: connection refused or closed", b.name));
      else
        Fact("hang", b.name, fmt::format("{}", fmt::join(ids, ",")),
             fmt::format("after batch {} the service accepts connections but does not answer "
                         "within {} ms{}",
                         which, l.io_timeout.count(), back ? " (it recovered later)" : ""),
             fmt::format("liveness probe after batch {}: no answer in {} ms{}", b.name,
                         l.io_timeout.count(), answer.empty() ? "" : ": " + answer));
      stopped = true;
      return;
    }
  }
};

}  // namespace

void RunRobustness(const std::vector<Endpoint>& endpoints, const Limits& limits, Assessment& a) {
  const std::string file = (DataDir() / "rules" / "robustness.yaml").string();
  auto set = LoadPayloads(file);
  if (!set) {
    a.problems.push_back({"error", "probe", file, "", std::nullopt,
                          "robustness campaign not run: " + set.error().Describe()});
    return;
  }
  unsigned char rnd[4];
  RAND_bytes(rnd, sizeof(rnd));
  const std::string marker = "iotcop" + Hex(std::string_view(reinterpret_cast<char*>(rnd), 4));
  for (const Endpoint& e : endpoints) {
    const std::string family = Family(e);
    if (family.empty()) continue;
    const std::string input = e.input.empty() ? e.address : e.input;
    std::string answer;
    if (ProbeAlive(e, family == "upnp" ? "http" : family, limits, &answer) != Alive::kYes) {
      a.problems.push_back({"warning", "probe", input, e.Locator(), std::nullopt,
                            fmt::format("robustness campaign skipped: the {} service does not "
                                        "answer a well-formed request ({})",
                                        family, answer.empty() ? "no answer" : answer)});
      continue;
    }
    Campaign c{e, limits, a, input, marker};
    std::size_t sent = 0, batches = 0;
    bool stopped = false;
    const std::string probe_family = family == "upnp" ? "http" : family;
    std::vector<Batch> plan;
    if (family == "upnp" || family == "http") plan = (*set)["http"];
    if (family == "upnp")
      for (auto& b : (*set)["upnp"]) plan.push_back(b);
    if (family == "mqtt" || family == "coap") plan = (*set)[family];
    c.Run(plan, probe_family, sent, batches, stopped);
    c.Fact("summary", "", "",
           fmt::format("{} payloads in {} of {} batches{}", sent, batches, plan.size(),
                       stopped ? ", stopped: the service failed its liveness probe" : ""),
           fmt::format("{} robustness campaign: {} payloads, {} batches, marker {}", family, sent,
                       batches, marker),
           {{"payloads", sent}, {"batches", batches}, {"stopped", stopped}});
  }
}

}  // namespace iotcop::network
