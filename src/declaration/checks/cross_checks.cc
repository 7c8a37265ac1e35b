// Cross-checks: a declaration that the evidence contradicts is a FAIL citing both. Each row says
// which declared entry makes a promise, how to tell that the entry promises it, and which checks'
// findings (on which provisions) break the promise. Running after every other check, they read
// those findings instead of re-deriving them, so the firmware, live-device and traffic checks stay
// the one place each problem is detected.
#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "core/check.h"
#include "core/fact_kinds.h"
#include "core/strings.h"

namespace iotcop {
namespace {

std::string ValueText(const nlohmann::json& v) {
  if (v.is_string()) return Lower(v.get<std::string>());
  return Lower(v.dump());
}

bool Mentions(const std::string& text, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(),
                     [&](const char* w) { return text.find(w) != std::string::npos; });
}

struct CrossCheckSpec {
  const char* id;
  const char* title;
  const char* field;  // the declared entry
  std::vector<std::string> provisions;
  // Does the entry promise what the evidence can contradict? (e.g. "unique per device")
  std::function<bool(const nlohmann::json&)> promises;
  const char* promise;                       // what it promises, for people
  std::vector<std::string> contradicted_by;  // check id prefixes whose findings break it
};

const std::vector<CrossCheckSpec>& Specs() {
  static const std::vector<CrossCheckSpec> kSpecs = {
      {"xcheck.passwords",
       "Declared password scheme against default and baked-in credentials",
       "authentication.password_scheme",
       {"5.1-1", "5.1-2"},
       [](const nlohmann::json& v) {
         const std::string t = ValueText(v);
         return Mentions(t, {"unique", "per device", "per-device", "chosen by the user",
                             "user-defined", "set by the user"}) &&
                !Mentions(t, {"default password", "same password"});
       },
       "unique per-device or user-chosen passwords",
       {"fw.accounts.", "fw.credentials.", "net.login."}},
      {"xcheck.debug-interfaces",
       "Declared debug interfaces against consoles and debug services found",
       "debug_interfaces",
       {"5.6-4"},
       [](const nlohmann::json& v) {
         const std::string t = ValueText(v);
         return t == "none" || t == "no" || Mentions(t, {"disabled"});
       },
       "no enabled debug interface",
       {"fw.services.serial-shell", "fw.services.debug-daemon", "net.debug"}},
      {"xcheck.updates",
       "Declared update delivery against the update mechanism found",
       "updates.delivery",
       {"5.3-7", "5.3-10"},
       [](const nlohmann::json& v) {
         return Mentions(ValueText(v), {"https", "signed", "signature", "tls", "encrypted"});
       },
       "signed updates over a protected channel",
       {"fw.updates.", "traffic.updates"}},
      {"xcheck.services",
       "Declared services against the services started at boot or answering",
       "services",
       {"5.6-1", "5.6-5"},
       [](const nlohmann::json& v) {
         if (!v.is_array() || v.empty()) return false;
         for (const auto& s :
              v) {  // a declared, enabled cleartext service cannot be contradicted by itself
           const std::string name = Lower(s.value("name", ""));
           if (s.value("enabled", true) && (name == "telnet" || name == "ftp" || name == "tftp"))
             return false;
         }
         return true;
       },
       "only the listed services and no telnet, FTP or TFTP (anything not listed is claimed "
       "absent)",
       {"fw.services.telnet", "fw.services.file-transfer", "fw.services.upnp", "fw.services.snmp",
        "net.services"}},
      {"xcheck.keys",
       "Declared per-device keys against private keys and credentials baked into the image",
       "secure_storage.per_device_keys",
       {"5.4-3", "5.4-4"},
       [](const nlohmann::json& v) { return v.is_boolean() && v.get<bool>(); },
       "security parameters unique per device",
       {"fw.keys.", "fw.credentials.", "fw.secrets."}},
      {"xcheck.communication",
       "Declared communication security against cleartext channels found",
       "communication.cloud",
       {"5.5-1"},
       [](const nlohmann::json& v) {
         return Mentions(ValueText(v), {"tls", "https", "encrypted", "ssl"});
       },
       "encrypted communication with associated services",
       {"fw.comms.", "traffic.cleartext", "net.cleartext"}},
  };
  return kSpecs;
}

class CrossCheck final : public Check {
 public:
  explicit CrossCheck(const CrossCheckSpec& spec) : spec_(spec) {
    doc_.id = spec.id;
    doc_.title = spec.title;
    doc_.provisions = spec.provisions;
    doc_.inputs = {InputKind::kDeclaration};
    doc_.needs = {facts::kClaim};
    doc_.rationale = fmt::format(
        "ETSI TS 103 701 requires the conceptual (declared) and functional (tested) verdicts to "
        "agree. The "
        "declaration's `{}` promises {}; a finding of the tests that breaks the promise fails the "
        "provision and "
        "cites both.",
        spec.field, spec.promise);
    doc_.remediation =
        "Fix the product, or correct the declaration so it describes the product as it is.";
    doc_.severity = Severity::kHigh;
    doc_.cross_check = true;
  }

  const CheckDoc& doc() const override { return doc_; }

  Status Run(CheckContext& ctx) const override {
    const Fact* claim = nullptr;
    for (const Fact* f : ctx.facts().OfKind(facts::kClaim))
      if (f->value.value("field", "") == spec_.field) claim = f;
    // Which functional evidence exists at all: any finding or fact from a non-declaration source.
    bool have_evidence = false;
    for (const auto& f : ctx.facts().all()) {
      if (f.evidence.source != InputKind::kDeclaration) {
        have_evidence = true;
        break;
      }
    }
    for (const auto& provision : spec_.provisions) {
      if (!claim) {
        ctx.Inconclusive(provision,
                         fmt::format("{}: nothing declared in {}", doc_.id, spec_.field));
        continue;
      }
      if (!spec_.promises(claim->value["value"])) {
        ctx.Inconclusive(
            provision,
            fmt::format("{}: {} does not promise {}", doc_.id, spec_.field, spec_.promise),
            {claim->id});
        continue;
      }
      std::vector<const Finding*> against;
      for (const auto& f : ctx.prior_findings()) {
        const bool by = std::any_of(
            spec_.contradicted_by.begin(), spec_.contradicted_by.end(),
            [&](const std::string& prefix) { return f.check_id.rfind(prefix, 0) == 0; });
        const bool cites =
            std::find(f.provisions.begin(), f.provisions.end(), provision) != f.provisions.end();
        if (by && cites) against.push_back(&f);
      }
      if (against.empty()) {
        if (have_evidence) {
          ctx.Pass(
              provision,
              fmt::format("{}: the evidence agrees with the declared {}", doc_.id, spec_.promise),
              {claim->id});
        } else {
          ctx.Inconclusive(
              provision,
              fmt::format(
                  "{}: no firmware, device or traffic evidence to check the declared {} against",
                  doc_.id, spec_.promise),
              {claim->id});
        }
        continue;
      }
      Finding f;
      f.title = fmt::format("Declaration contradicted: {} promises {}, but {}", spec_.field,
                            spec_.promise, against.front()->title);
      std::string list;
      for (const Finding* x : against) list += (list.empty() ? "" : "; ") + x->title;
      f.message = fmt::format("The declaration ({}) says \"{}\"; the tests found: {}.", spec_.field,
                              claim->evidence.excerpt, list);
      f.provisions = {provision};
      f.evidence.push_back(claim->evidence);
      f.facts.push_back(claim->id);
      for (const Finding* x : against) {
        for (const auto& e : x->evidence) f.evidence.push_back(e);
        f.facts.insert(f.facts.end(), x->facts.begin(), x->facts.end());
      }
      ctx.Report(std::move(f), fmt::format("{}:{}", spec_.field, provision));
    }
    return Ok();
  }

 private:
  const CrossCheckSpec& spec_;
  CheckDoc doc_;
};

}  // namespace

std::vector<std::unique_ptr<const Check>> MakeDeclarationCrossChecks() {
  std::vector<std::unique_ptr<const Check>> out;
  for (const auto& s : Specs()) out.push_back(std::make_unique<CrossCheck>(s));
  return out;
}

}  // namespace iotcop
