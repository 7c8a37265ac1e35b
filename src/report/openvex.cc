// OpenVEX 0.2.0 document of the assessment's own statements: one statement per vulnerability
// matched to a firmware component (vulnerability facts): `affected` for a version match, or the
// status of the VEX statement (--vex) that decided it, with its justification, its impact
// statement and its source. The product is the assessed firmware, each component a subcomponent
// named by its PURL (and CPE). The @id and the order derive from the assessment, so the same
// assessment gives the same bytes.
#include <nlohmann/json.hpp>

#include <map>
#include <tuple>

#include "core/fact_kinds.h"
#include "report/renderer.h"
#include "report/vex_terms.h"

namespace iotcop::report {
namespace {

std::string PurlEncode(const std::string& s) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

class OpenVexRenderer : public Renderer {
 public:
  const RendererDoc& doc() const override { return doc_; }

  Status Render(const Assessment& a, const Catalogue&, std::ostream& out) const override {
    out << Document(a).dump(2) << "\n";
    return Ok();
  }

  static nlohmann::json Document(const Assessment& a) {
    const std::string product_name = a.product.empty() ? "firmware" : a.product;
    nlohmann::json product = {{"@id", "pkg:generic/" + PurlEncode(product_name)}};
    for (const auto& in : a.inputs) {
      if (in.kind == InputKind::kFirmware && in.sha256.size() == 64) {
        product["hashes"] = {{"sha-256", in.sha256}};
        break;
      }
    }
    // (vulnerability, component) -> statement, in a stable order.
    std::map<std::tuple<std::string, std::string, FactId>, nlohmann::json> statements;
    for (const Fact* f : a.facts.OfKind(facts::kVulnerability)) {
      const auto& v = f->value;
      const std::string id = v.value("id", "");
      const FactId cid = v.value("component_fact", FactId{0});
      if (id.empty() || cid >= a.facts.size()) continue;
      const Fact& c = a.facts.at(cid);
      const std::string name = c.value.value("name", "");
      const std::string version = c.value.value("version", "");
      std::string purl = c.value.value("purl", "");
      if (purl.empty()) purl = "pkg:generic/" + PurlEncode(name) + "@" + PurlEncode(version);
      nlohmann::json sub = {{"@id", purl}, {"identifiers", {{"purl", purl}}}};
      if (const std::string cpe = c.value.value("cpe", ""); cpe.starts_with("cpe:2.3:"))
        sub["identifiers"]["cpe23"] = cpe;
      nlohmann::json p = product;
      p["subcomponents"] = nlohmann::json::array({sub});
      const std::string status = VexStatusOf(v);
      nlohmann::json s = {{"vulnerability", {{"name", id}}},
                          {"products", nlohmann::json::array({p})},
                          {"status", status}};
      if (id.starts_with("CVE-")) {
        s["vulnerability"]["@id"] = "https://nvd.nist.gov/vuln/detail/" + id;
      } else {
        s["vulnerability"]["@id"] = "https://osv.dev/vulnerability/" + id;
      }
      const bool from_vex = v.contains("vex") && v["vex"].is_object();
      if (status == "not_affected") {
        const std::string j =
            from_vex ? OpenVexJustificationOf(v["vex"].value("justification", "")) : "";
        if (!j.empty()) s["justification"] = j;
        s["impact_statement"] = VexDetailOf(v);  // always given: says where it came from
      } else if (status == "affected") {
        s["action_statement"] =
            "Update " + name + " " + version +
            " to a version not affected, or backport the fix and record it in a VEX statement (" +
            VexDetailOf(v) + ")";
      } else {
        s["status_notes"] = VexDetailOf(v);
      }
      statements[{id, name + "@" + version, cid}] = std::move(s);
    }
    std::string material = "openvex\n" + a.product;
    for (const auto& in : a.inputs) material += "\n" + in.name + "\n" + in.sha256;
    nlohmann::json list = nlohmann::json::array();
    for (auto& [key, s] : statements) {
      material += "\n" + s.dump();
      list.push_back(std::move(s));
    }
    std::string timestamp = a.finished_at;
    if (timestamp.empty()) timestamp = a.started_at;
    if (timestamp.empty()) timestamp = "1970-01-01T00:00:00Z";
    return {{"@context", "https://openvex.dev/ns/v0.2.0"},
            {"@id", "urn:uuid:" + UuidFrom(material)},
            {"author", "iotcop " + a.tool_version},
            {"role", "Assessment tool"},
            {"timestamp", timestamp},
            {"version", 1},
            {"tooling", "iotcop " + a.tool_version},
            {"statements", list}};
  }

 private:
  RendererDoc doc_{"openvex", "vex.openvex.json",
                   "OpenVEX 0.2.0 statements of the assessment: affected for each vulnerability "
                   "matched to a component, or the status a --vex statement gave it"};
};

}  // namespace

std::unique_ptr<const Renderer> MakeOpenVexRenderer() {
  return std::make_unique<OpenVexRenderer>();
}

}  // namespace iotcop::report
