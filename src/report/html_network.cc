// File: report/html_network.cc
// The HTML report's "Live device" section (report/html_network.h): what `assess --host` saw, in
// tables a person can read — the scan of each host, every service answering (with what it
// discloses), TLS listeners, SSH servers, the default-credential logins and how each service met
// brute force, security.txt, and the robustness campaign. Every value comes from the device or
// from facts about it, so every piece of text is escaped (XmlEscape); passwords in login facts are
// already redacted by the probe.
#include "report/html_network.h"

#include <fmt/format.h>

#include "core/fact.h"
#include "core/fact_kinds.h"
#include "report/util.h"

namespace iotcop::report {
namespace {

// A field as text whatever its JSON type ("" when absent or null).
// FieldText, with booleans as "yes"/"no" for people.
std::string Text(const nlohmann::json& v, const char* key) {
  const auto it = v.is_object() ? v.find(key) : v.end();
  if (it != v.end() && it->is_boolean()) return it->get<bool>() ? "yes" : "no";
  return FieldText(v, key);
}

bool Flag(const nlohmann::json& v, const char* key) {
  const auto it = v.is_object() ? v.find(key) : v.end();
  return it != v.end() && it->is_boolean() && it->get<bool>();
}

// The strings of an array field, joined ("" when it is not an array).
std::string Joined(const nlohmann::json& v, const char* key, std::string_view sep = ", ",
                   std::size_t max = 12) {
  const auto it = v.is_object() ? v.find(key) : v.end();
  if (it == v.end() || !it->is_array()) return {};
  std::string out;
  std::size_t n = 0;
  for (const auto& x : *it) {
    if (n == max) return out + fmt::format("{}… ({} in all)", sep, it->size());
    if (n++) out += sep;
    out += x.is_string() ? x.get<std::string>() : x.dump();
  }
  return out;
}

std::string Where(const nlohmann::json& v) {
  const std::string endpoint = Text(v, "endpoint");
  if (!endpoint.empty()) return endpoint;
  return fmt::format("{}:{}/{}", Text(v, "address"), Text(v, "port"),
                     v.contains("transport") ? Text(v, "transport") : "tcp");
}

std::string Yes(bool bad, std::string_view yes = "yes", std::string_view no = "no") {
  return bad ? fmt::format("<strong>{}</strong>", XmlEscape(yes)) : std::string(XmlEscape(no));
}

class Section {
 public:
  explicit Section(const Assessment& a) : a_(a) {}

  std::string Render() {
    const auto services = a_.facts.OfKind(facts::kNetworkService);
    const auto ports = a_.facts.OfKind(facts::kOpenPort);
    out_ += fmt::format(
        "<section id=\"live-device\" aria-labelledby=\"h-live-device\">\n<h2 "
        "id=\"h-live-device\">Live device ({} open ports, {} services)</h2>\n",
        ports.size(), services.size());
    out_ +=
        "<p class=\"lead\">What <span class=\"mono\">assess --host</span> found answering on the "
        "network. Evidence of each finding names the same address:port.</p>\n";
    Hosts();
    Services(services);
    Tls();
    Ssh();
    Logins();
    SecurityTxt();
    Robustness();
    out_ += "</section>\n";
    return std::move(out_);
  }

 private:
  void Table(std::string_view caption, std::initializer_list<std::string_view> heads) {
    out_ += fmt::format("<table><caption>{}</caption><thead><tr>", XmlEscape(caption));
    for (auto h : heads) out_ += fmt::format("<th scope=\"col\">{}</th>", XmlEscape(h));
    out_ += "</tr></thead><tbody>\n";
  }
  void Row(std::initializer_list<std::string> cells) {
    out_ += "<tr>";
    for (const auto& c : cells) out_ += "<td>" + c + "</td>";
    out_ += "</tr>\n";
  }
  void EndTable() { out_ += "</tbody></table>\n"; }
  static std::string Mono(std::string_view s) {
    return "<span class=\"mono\">" + XmlEscape(s) + "</span>";
  }

  void Hosts() {
    const auto it = a_.extras.find("network");
    if (it == a_.extras.end() || !it->is_object() || !it->contains("hosts") ||
        !(*it)["hosts"].is_array())
      return;
    Table("Scan", {"Target", "Addresses", "TCP ports tried", "Open", "Refused", "Timed out",
                   "Scan time", "UDP answers"});
    for (const auto& h : (*it)["hosts"])
      Row({Mono(Text(h, "input")), XmlEscape(Text(h, "addresses")), XmlEscape(Text(h, "connects")),
           XmlEscape(Text(h, "open")), XmlEscape(Text(h, "refused")),
           XmlEscape(Text(h, "timed_out")), XmlEscape(Text(h, "scan_ms")) + " ms",
           XmlEscape(Text(h, "udp_answers"))});
    EndTable();
  }

  void Services(const std::vector<const Fact*>& services) {
    if (services.empty()) {
      out_ += "<p class=\"none\">No service answered.</p>\n";
      return;
    }
    Table("Services",
          {"Endpoint", "Service", "Product", "TLS", "Cleartext", "Discloses", "Banner"});
    for (const Fact* f : services) {
      const auto& v = f->value;
      const std::string product = (Text(v, "product") + " " + Text(v, "version"));
      Row({Mono(Where(v)), XmlEscape(Text(v, "service")), XmlEscape(product),
           Flag(v, "tls") ? "yes" : "no", Yes(Flag(v, "cleartext")),
           XmlEscape(Joined(v, "disclosure", "; ")), Mono(Text(v, "banner").substr(0, 120))});
    }
    EndTable();
  }

  void Tls() {
    const auto tls = a_.facts.OfKind(facts::kTlsEndpoint);
    if (tls.empty()) return;
    Table("TLS listeners", {"Endpoint", "Versions accepted", "Weak cipher suites", "Certificate",
                            "Self-signed", "Expired", "Key", "Signature", "Name matches"});
    for (const Fact* f : tls) {
      const auto& v = f->value;
      const nlohmann::json cert = v.value("certificate", nlohmann::json::object());
      std::string weak;
      if (v.contains("weak_ciphers") && v["weak_ciphers"].is_array()) {
        std::size_t n = 0;
        for (const auto& w : v["weak_ciphers"]) {
          if (n++ == 6) {
            weak += fmt::format(", … ({} in all)", v["weak_ciphers"].size());
            break;
          }
          weak += (weak.empty() ? "" : ", ") + Text(w, "name");
        }
      }
      bool old = false;
      for (const char* ver : {"SSLv3", "TLSv1", "TLSv1.1"})
        old = old || (v.contains("versions") && v["versions"].is_object() &&
                      v["versions"].value(ver, nlohmann::json()).is_boolean() &&
                      v["versions"][ver].get<bool>());
      Row({Mono(Where(v)),
           old ? "<strong>" + XmlEscape(Joined(v, "accepted")) + "</strong>"
               : XmlEscape(Joined(v, "accepted")),
           weak.empty() ? "none" : "<strong>" + XmlEscape(weak) + "</strong>",
           XmlEscape(Text(cert, "subject")), Yes(Flag(cert, "self_signed")),
           Yes(Flag(cert, "expired")),
           XmlEscape(Text(cert, "key_type") + " " + Text(cert, "key_bits")),
           XmlEscape(Text(cert, "sig_alg")),
           cert.contains("name_match") ? Yes(!Flag(cert, "name_match"), "no", "yes") : ""});
    }
    EndTable();
  }

  void Ssh() {
    const auto ssh = a_.facts.OfKind(facts::kSshEndpoint);
    if (ssh.empty()) return;
    Table("SSH servers",
          {"Endpoint", "Software", "Weak algorithms", "Authentication methods", "Password logins"});
    for (const Fact* f : ssh) {
      const auto& v = f->value;
      std::string weak;
      if (v.contains("weak") && v["weak"].is_array())
        for (const auto& w : v["weak"])
          weak += (weak.empty() ? "" : ", ") + Text(w, "kind") + " " + Text(w, "name");
      const bool unknown = !v.contains("password_auth") || v["password_auth"].is_null();
      Row({Mono(Where(v)),
           XmlEscape(Text(v, "software").empty() ? Text(v, "banner") : Text(v, "software")),
           weak.empty() ? "none" : "<strong>" + XmlEscape(weak) + "</strong>",
           XmlEscape(Joined(v, "auth_methods")),
           unknown ? "unknown" : Yes(Flag(v, "password_auth"))});
    }
    EndTable();
  }

  void Logins() {
    const auto logins = a_.facts.OfKind(facts::kLoginAttempt);
    const auto resistance = a_.facts.OfKind(facts::kBruteForceResistance);
    if (logins.empty() && resistance.empty()) return;
    if (!logins.empty()) {
      Table("Default-credential logins",
            {"Where", "Method", "User", "Password", "Outcome", "Attempts"});
      for (const Fact* f : logins) {
        const auto& v = f->value;
        const bool ok = Flag(v, "success");
        const std::string where = Text(v, "url").empty() ? Where(v) : Text(v, "url");
        Row({Mono(where), XmlEscape(Text(v, "method")),
             Flag(v, "anonymous") ? "(anonymous)" : XmlEscape(Text(v, "user")),
             XmlEscape(Text(v, "password")),
             ok ? "<strong>logged in</strong>" : XmlEscape(Text(v, "outcome")),
             XmlEscape(Text(v, "attempts"))});
      }
      EndTable();
    }
    if (!resistance.empty()) {
      Table("Brute-force resistance", {"Endpoint", "Method", "Result", "Failures", "Why"});
      for (const Fact* f : resistance) {
        const auto& v = f->value;
        const std::string r = Text(v, "result");
        Row({Mono(Where(v)), XmlEscape(Text(v, "method")),
             r == "none" ? "<strong>none</strong>" : XmlEscape(r), XmlEscape(Text(v, "failures")),
             XmlEscape(Text(v, "reason"))});
      }
      EndTable();
    }
  }

  void SecurityTxt() {
    std::vector<const Fact*> live;
    for (const Fact* d : a_.facts.OfKind(facts::kDisclosure))
      if (d->evidence.source == InputKind::kNetwork) live.push_back(d);
    if (live.empty()) return;
    Table("security.txt served by the device", {"URL", "Valid", "Contact", "Errors"});
    for (const Fact* d : live) {
      const auto& v = d->value;
      Row({Mono(Text(v, "url")), Flag(v, "valid") ? "yes" : "<strong>no</strong>",
           XmlEscape(Text(v, "contact")), XmlEscape(Joined(v, "errors", "; "))});
    }
    EndTable();
  }

  void Robustness() {
    const auto results = a_.facts.OfKind(facts::kRobustnessResult);
    if (results.empty()) return;
    Table("Robustness campaign (--robustness)",
          {"Endpoint", "Service", "Event", "Batch", "Payload", "Detail"});
    for (const Fact* f : results) {
      const auto& v = f->value;
      const std::string kind = Text(v, "kind");
      Row({Mono(Where(v)), XmlEscape(Text(v, "service")),
           kind == "summary" ? XmlEscape(kind) : "<strong>" + XmlEscape(kind) + "</strong>",
           XmlEscape(Text(v, "batch")), Mono(Text(v, "payload")), XmlEscape(Text(v, "detail"))});
    }
    EndTable();
  }

  const Assessment& a_;
  std::string out_;
};

}  // namespace

bool HasNetworkSection(const Assessment& a) {
  return a.facts.Has(facts::kOpenPort) || a.facts.Has(facts::kNetworkService);
}

std::string HtmlNetworkSection(const Assessment& a) {
  if (!HasNetworkSection(a)) return {};
  return Section(a).Render();
}

}  // namespace iotcop::report
