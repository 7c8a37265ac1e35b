// CycloneDX 1.5 JSON SBOM of the firmware: every `component` fact with its version, CPE, purl,
// where it was found and how it was identified (package manifest, binary strings, path). The
// product is the metadata component (type firmware) that depends on all of them. The serial
// number derives from the inputs, so the same assessment gives the same document. Known
// vulnerabilities matched to the components (vulnerability facts) fill `vulnerabilities`, each with
// its `analysis`: the VEX statement (--vex) that decided it, else `exploitable` (a version match).
// Components of one vulnerability with different analyses are separate entries.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

#include "core/bytes.h"
#include "core/fact_kinds.h"
#include "core/hash.h"
#include "report/renderer.h"
#include "report/vex_terms.h"

namespace iotcop::report {
namespace {

nlohmann::json Identity(const std::string& source) {
  // CycloneDX 1.5 evidence.identity: the field identified and how.
  std::string technique = "binary-analysis";
  double confidence = 0.8;
  if (source == "opkg" || source == "dpkg") {
    technique = "manifest-analysis";
    confidence = 1.0;
  } else if (source == "path") {
    technique = "filename";
    confidence = 0.6;
  }
  return {
      {"field", "version"},
      {"confidence", confidence},
      {"methods", nlohmann::json::array({{{"technique", technique}, {"confidence", confidence}}})}};
}

class CycloneDxRenderer : public Renderer {
 public:
  const RendererDoc& doc() const override { return doc_; }

  Status Render(const Assessment& a, const Catalogue&, std::ostream& out) const override {
    out << Document(a).dump(2) << "\n";
    return Ok();
  }

  static nlohmann::json Document(const Assessment& a) {
    std::string material = a.product;
    for (const auto& in : a.inputs) material += "\n" + in.name + "\n" + in.sha256;
    nlohmann::json product = {{"type", "firmware"},
                              {"bom-ref", "product"},
                              {"name", a.product.empty() ? "firmware" : a.product}};
    nlohmann::json hashes = nlohmann::json::array();
    for (const auto& in : a.inputs) {
      if (in.kind == InputKind::kFirmware && in.sha256.size() == 64) {
        hashes.push_back({{"alg", "SHA-256"}, {"content", in.sha256}});
      }
    }
    if (!hashes.empty()) product["hashes"] = hashes;
    nlohmann::json metadata = {
        {"tools",
         {{"components",
           nlohmann::json::array(
               {{{"type", "application"}, {"name", "iotcop"}, {"version", a.tool_version}}})}}},
        {"component", product}};
    if (!a.finished_at.empty()) metadata["timestamp"] = a.finished_at;

    nlohmann::json components = nlohmann::json::array();
    nlohmann::json refs = nlohmann::json::array();
    std::map<std::string, int> used;
    std::map<FactId, std::string> ref_of;  // component fact -> bom-ref, for `affects`
    for (const Fact* f : a.facts.OfKind(facts::kComponent)) {
      const auto& v = f->value;
      const std::string name = v.value("name", "");
      if (name.empty()) continue;
      std::string ref = v.value("purl", name);
      if (int n = used[ref]++; n > 0) ref += "#" + std::to_string(n);
      nlohmann::json c = {{"type", v.value("type", "library")}, {"bom-ref", ref}, {"name", name}};
      if (const std::string ver = v.value("version", ""); !ver.empty()) c["version"] = ver;
      if (const std::string cpe = v.value("cpe", ""); !cpe.empty()) c["cpe"] = cpe;
      if (const std::string purl = v.value("purl", ""); !purl.empty()) c["purl"] = purl;
      const std::string source = v.value("source", "");
      nlohmann::json evidence = {{"identity", Identity(source)}};
      if (!f->evidence.path.empty()) {
        nlohmann::json occ = {{"location", f->evidence.path}};
        evidence["occurrences"] = nlohmann::json::array({occ});
      }
      c["evidence"] = evidence;
      nlohmann::json props = nlohmann::json::array();
      props.push_back({{"name", "iotcop:source"}, {"value", source}});
      if (v.contains("package")) {
        props.push_back({{"name", "iotcop:package"}, {"value", v.value("package", "")}});
        props.push_back(
            {{"name", "iotcop:package_version"}, {"value", v.value("package_version", "")}});
      }
      c["properties"] = props;
      components.push_back(std::move(c));
      refs.push_back(ref);
      ref_of[f->id] = ref;
    }
    nlohmann::json doc = {
        {"$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json"},
        {"bomFormat", "CycloneDX"},
        {"specVersion", "1.5"},
        {"serialNumber", "urn:uuid:" + UuidFrom(material)},
        {"version", 1},
        {"metadata", metadata},
        {"components", components},
        {"dependencies", nlohmann::json::array({{{"ref", "product"}, {"dependsOn", refs}}})}};
    nlohmann::json vulns = Vulnerabilities(a, ref_of);
    if (!vulns.empty()) doc["vulnerabilities"] = std::move(vulns);
    return doc;
  }

  // CycloneDX 1.5 `vulnerabilities`: one entry per vulnerability id, affecting every component
  // the vulnerabilities collector matched it to, rated with the feed's CVSS score and vector.
  static nlohmann::json Vulnerabilities(const Assessment& a,
                                        const std::map<FactId, std::string>& ref_of) {
    std::map<std::pair<std::string, std::string>, nlohmann::json> by_id;  // (id, analysis)
    for (const Fact* f : a.facts.OfKind(facts::kVulnerability)) {
      const auto& v = f->value;
      const std::string id = v.value("id", "");
      auto ref = ref_of.find(v.value("component_fact", FactId{0}));
      if (id.empty() || ref == ref_of.end()) continue;
      nlohmann::json analysis = {{"state", CdxStateOf(VexStatusOf(v))}};
      if (v.contains("vex") && v["vex"].is_object()) {
        if (std::string j = CdxJustificationOf(v["vex"].value("justification", "")); !j.empty())
          analysis["justification"] = j;
      }
      analysis["detail"] = VexDetailOf(v);
      auto [it, fresh] = by_id.try_emplace({id, analysis.dump()});
      nlohmann::json& out = it->second;
      if (fresh) {
        // The first entry of an id keeps "vuln:<id>"; one with another analysis gets a suffix.
        std::size_t others = 0;
        for (const auto& [key, other] : by_id) others += key.first == id && &other != &out;
        const std::string bom_ref =
            "vuln:" + id + (others == 0 ? std::string() : "#" + std::to_string(others + 1));
        out = {{"bom-ref", bom_ref}, {"id", id}, {"affects", nlohmann::json::array()}};
        out["analysis"] = analysis;
        if (id.starts_with("CVE-")) {
          out["source"] = {{"name", "NVD"}, {"url", "https://nvd.nist.gov/vuln/detail/" + id}};
        } else {
          out["source"] = {{"name", "OSV"}, {"url", "https://osv.dev/vulnerability/" + id}};
        }
        if (const std::string d = v.value("summary", ""); !d.empty()) out["description"] = d;
        nlohmann::json rating = nlohmann::json::object();
        if (v.contains("cvss") && v["cvss"].is_number()) {
          const double score = v["cvss"].get<double>();
          rating["score"] = score;
          rating["severity"] = score >= 9.0   ? "critical"
                               : score >= 7.0 ? "high"
                               : score >= 4.0 ? "medium"
                               : score > 0    ? "low"
                                              : "none";
        } else if (std::string sev = v.value("severity", ""); !sev.empty()) {
          for (auto& ch : sev) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          if (sev == "moderate") sev = "medium";
          if (sev == "critical" || sev == "high" || sev == "medium" || sev == "low")
            rating["severity"] = sev;
        }
        const std::string vector = v.value("vector", "");
        if (!vector.empty()) {
          rating["vector"] = vector;
          rating["method"] = vector.starts_with("CVSS:3.1/")   ? "CVSSv31"
                             : vector.starts_with("CVSS:3.0/") ? "CVSSv3"
                             : vector.starts_with("CVSS:4")    ? "CVSSv4"
                                                               : "other";
        }
        if (!rating.empty()) out["ratings"] = nlohmann::json::array({rating});
      }
      const nlohmann::json affect = {{"ref", ref->second}};
      if (std::find(out["affects"].begin(), out["affects"].end(), affect) == out["affects"].end())
        out["affects"].push_back(affect);
    }
    nlohmann::json list = nlohmann::json::array();
    for (auto& [id, v] : by_id) list.push_back(std::move(v));
    return list;
  }

 private:
  RendererDoc doc_{"cyclonedx", "sbom.cdx.json",
                   "CycloneDX 1.5 JSON software bill of materials of the firmware components"};
};

}  // namespace

std::unique_ptr<const Renderer> MakeCycloneDxRenderer() {
  return std::make_unique<CycloneDxRenderer>();
}

}  // namespace iotcop::report
