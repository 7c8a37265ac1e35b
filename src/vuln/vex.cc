#include "vuln/vex.h"

#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/evidence.h"
#include "core/strings.h"
#include "vuln/vulndb.h"

namespace iotcop::vuln {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A field of the wrong type or value, at a JSON pointer; caught by ParseVex and turned into an
// Error naming the input and the pointer.
struct VexFieldError {
  std::string pointer, what;
};

std::string PtrEscape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}
std::string At(const std::string& ptr, std::string_view key) { return ptr + "/" + PtrEscape(key); }
std::string At(const std::string& ptr, std::size_t i) { return ptr + "/" + std::to_string(i); }

[[noreturn]] void Fail(const std::string& ptr, std::string what) {
  throw VexFieldError{ptr.empty() ? "/" : ptr, std::move(what)};
}

const json& Want(const json& j, const std::string& ptr, json::value_t type, const char* name) {
  if (j.type() != type) Fail(ptr, fmt::format("expected {}, got {}", name, j.type_name()));
  return j;
}
// Member `key` of object `obj`, type-checked; nullptr when absent (or null).
const json* Opt(const json& obj, const std::string& ptr, const char* key, json::value_t type,
                const char* name) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &Want(*it, At(ptr, key), type, name);
}
const json* OptObject(const json& obj, const std::string& ptr, const char* key) {
  return Opt(obj, ptr, key, json::value_t::object, "object");
}
const json* OptArray(const json& obj, const std::string& ptr, const char* key) {
  return Opt(obj, ptr, key, json::value_t::array, "array");
}
std::string OptString(const json& obj, const std::string& ptr, const char* key) {
  const json* j = Opt(obj, ptr, key, json::value_t::string, "string");
  return j ? j->get<std::string>() : std::string();
}
std::string NeedString(const json& obj, const std::string& ptr, const char* key) {
  std::string s = OptString(obj, ptr, key);
  if (s.empty()) Fail(At(ptr, key), "missing or empty");
  return s;
}

// The deepest nesting of arrays and objects in `text`, counted without parsing (so that a hostile
// file cannot make the parser recurse); stops counting past `limit`.
int NestingDepth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

// An identifier as written in a document: a PURL, a CPE, or "name@version" / "name".
VexProduct FromIdentifier(const std::string& id) {
  VexProduct p;
  if (id.starts_with("pkg:")) {
    p.purl = id;
  } else if (id.starts_with("cpe:")) {
    p.cpe = id;
  } else if (auto at = id.rfind('@'); at != std::string::npos && at > 0) {
    p.name = id.substr(0, at);
    p.version = id.substr(at + 1);
  } else {
    p.name = id;
  }
  return p;
}

void AddStatement(VexDocument& doc, VexStatement s) {
  if (doc.statements.size() >= kMaxVexStatements) {
    Fail(s.pointer, fmt::format("more than {} statements", kMaxVexStatements));
  }
  s.source = doc.source;
  doc.statements.push_back(std::move(s));
}

// ---- OpenVEX 0.2.0 (and the 0.0.x string forms) ----

VexStatus OpenVexStatus(const std::string& s, const std::string& ptr) {
  if (s == "not_affected") return VexStatus::kNotAffected;
  if (s == "fixed") return VexStatus::kFixed;
  if (s == "affected") return VexStatus::kAffected;
  if (s == "under_investigation") return VexStatus::kUnderInvestigation;
  Fail(ptr, "unknown status \"" + BoundExcerpt(s) + "\"");
}

// One OpenVEX product or subcomponent: a string (0.0.x) or {"@id", "identifiers": {purl, cpe23,
// cpe22}}.
VexProduct OpenVexComponent(const json& j, const std::string& ptr) {
  if (j.is_string()) return FromIdentifier(j.get<std::string>());
  Want(j, ptr, json::value_t::object, "object or string");
  VexProduct p = FromIdentifier(OptString(j, ptr, "@id"));
  if (const json* ids = OptObject(j, ptr, "identifiers")) {
    const std::string at = At(ptr, "identifiers");
    if (std::string purl = OptString(*ids, at, "purl"); !purl.empty()) p.purl = purl;
    std::string cpe = OptString(*ids, at, "cpe23");
    if (cpe.empty()) cpe = OptString(*ids, at, "cpe22");
    if (!cpe.empty()) p.cpe = cpe;
  }
  if (p.purl.empty() && p.cpe.empty() && p.name.empty()) Fail(ptr, "product without identifier");
  return p;
}

void ParseOpenVex(const json& j, VexDocument& doc) {
  const json* statements = OptArray(j, "", "statements");
  if (!statements) Fail("/statements", "missing");
  for (std::size_t i = 0; i < statements->size(); ++i) {
    const std::string ptr = At("/statements", i);
    const json& st = Want((*statements)[i], ptr, json::value_t::object, "object");
    VexStatement s;
    s.pointer = ptr;
    auto v = st.find("vulnerability");
    if (v == st.end()) Fail(At(ptr, "vulnerability"), "missing");
    if (v->is_string()) {
      s.ids.push_back(v->get<std::string>());
    } else {
      const std::string vp = At(ptr, "vulnerability");
      Want(*v, vp, json::value_t::object, "object or string");
      s.ids.push_back(NeedString(*v, vp, "name"));
      if (const json* aliases = OptArray(*v, vp, "aliases")) {
        for (std::size_t k = 0; k < aliases->size(); ++k) {
          s.ids.push_back(
              Want((*aliases)[k], At(At(vp, "aliases"), k), json::value_t::string, "string")
                  .get<std::string>());
        }
      }
    }
    if (s.ids.front().empty()) Fail(At(ptr, "vulnerability"), "empty vulnerability name");
    s.status = OpenVexStatus(NeedString(st, ptr, "status"), At(ptr, "status"));
    s.justification = OptString(st, ptr, "justification");
    s.impact = OptString(st, ptr, "impact_statement");
    s.action = OptString(st, ptr, "action_statement");
    if (s.status == VexStatus::kNotAffected && s.justification.empty() && s.impact.empty()) {
      Fail(ptr, "not_affected without justification or impact_statement (OpenVEX requires one)");
    }
    if (const json* products = OptArray(st, ptr, "products")) {
      for (std::size_t k = 0; k < products->size(); ++k) {
        const std::string pp = At(At(ptr, "products"), k);
        const json& pj = (*products)[k];
        // The components a product statement is about are its subcomponents when it lists
        // them; else the product itself is matched as a component.
        const json* subs = pj.is_object() ? OptArray(pj, pp, "subcomponents") : nullptr;
        if (subs && !subs->empty()) {
          (void)OpenVexComponent(pj, pp);  // still type-checked
          for (std::size_t m = 0; m < subs->size(); ++m) {
            s.products.push_back(OpenVexComponent((*subs)[m], At(At(pp, "subcomponents"), m)));
          }
        } else {
          s.products.push_back(OpenVexComponent(pj, pp));
        }
      }
    }
    AddStatement(doc, std::move(s));
  }
}

// ---- CycloneDX VEX ----

void CdxComponents(const json& list, const std::string& ptr, std::map<std::string, VexProduct>& out,
                   int depth) {
  if (depth > 16) Fail(ptr, "components nested too deeply");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string cp = At(ptr, i);
    const json& c = Want(list[i], cp, json::value_t::object, "object");
    VexProduct p;
    p.name = OptString(c, cp, "name");
    p.version = OptString(c, cp, "version");
    p.purl = OptString(c, cp, "purl");
    p.cpe = OptString(c, cp, "cpe");
    if (std::string ref = OptString(c, cp, "bom-ref"); !ref.empty()) out[ref] = p;
    if (const json* sub = OptArray(c, cp, "components"))
      CdxComponents(*sub, At(cp, "components"), out, depth + 1);
  }
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

VexStatus CdxState(const std::string& s, const std::string& ptr) {
  if (s == "not_affected" || s == "false_positive") return VexStatus::kNotAffected;
  if (s == "resolved" || s == "resolved_with_pedigree") return VexStatus::kFixed;
  if (s == "exploitable") return VexStatus::kAffected;
  if (s == "in_triage") return VexStatus::kUnderInvestigation;
  Fail(ptr, "unknown analysis state \"" + BoundExcerpt(s) + "\"");
}

void ParseCycloneDx(const json& j, VexDocument& doc) {
  std::map<std::string, VexProduct> refs;
  if (const json* md = OptObject(j, "", "metadata")) {
    if (const json* c = OptObject(*md, "/metadata", "component")) {
      CdxComponents(json::array({*c}), "/metadata/component", refs, 0);
    }
  }
  if (const json* comps = OptArray(j, "", "components"))
    CdxComponents(*comps, "/components", refs, 0);
  const json* vulns = OptArray(j, "", "vulnerabilities");
  if (!vulns) Fail("/vulnerabilities", "missing: a CycloneDX VEX lists vulnerabilities");
  for (std::size_t i = 0; i < vulns->size(); ++i) {
    const std::string ptr = At("/vulnerabilities", i);
    const json& v = Want((*vulns)[i], ptr, json::value_t::object, "object");
    const json* analysis = OptObject(v, ptr, "analysis");
    if (!analysis) continue;  // a plain SBOM vulnerability: no statement
    const std::string ap = At(ptr, "analysis");
    VexStatement s;
    s.pointer = ptr;
    s.ids.push_back(NeedString(v, ptr, "id"));
    if (const json* refs_list = OptArray(v, ptr, "references")) {
      for (std::size_t k = 0; k < refs_list->size(); ++k) {
        const std::string rp = At(At(ptr, "references"), k);
        const json& r = Want((*refs_list)[k], rp, json::value_t::object, "object");
        if (std::string id = OptString(r, rp, "id"); !id.empty()) s.ids.push_back(id);
      }
    }
    s.status = CdxState(NeedString(*analysis, ap, "state"), At(ap, "state"));
    s.justification = OptString(*analysis, ap, "justification");
    s.impact = OptString(*analysis, ap, "detail");
    if (const json* resp = OptArray(*analysis, ap, "response")) {
      for (std::size_t k = 0; k < resp->size(); ++k) {
        const std::string r =
            Want((*resp)[k], At(At(ap, "response"), k), json::value_t::string, "string")
                .get<std::string>();
        s.action += (s.action.empty() ? "" : ", ") + r;
      }
    }
    if (const json* affects = OptArray(v, ptr, "affects")) {
      for (std::size_t k = 0; k < affects->size(); ++k) {
        const std::string fp = At(At(ptr, "affects"), k);
        const json& a = Want((*affects)[k], fp, json::value_t::object, "object");
        const std::string ref = NeedString(a, fp, "ref");
        // A BOM-Link (urn:cdx:serial/version#bom-ref) names a bom-ref of another BOM.
        std::string local = ref;
        if (ref.starts_with("urn:cdx:")) {
          const auto hash = ref.find('#');
          local = hash == std::string::npos ? std::string() : PercentDecode(ref.substr(hash + 1));
        }
        if (auto it = refs.find(local); it != refs.end()) {
          s.products.push_back(it->second);
        } else if (!local.empty()) {
          s.products.push_back(FromIdentifier(local));
        } else {
          Fail(At(fp, "ref"), "BOM-Link without a bom-ref");
        }
      }
    }
    AddStatement(doc, std::move(s));
  }
  if (doc.statements.empty()) {
    Fail("/vulnerabilities", "no vulnerability has an analysis: not a VEX document");
  }
}

// ---- CSAF 2.0 csaf_vex ----

VexProduct CsafHelper(const json& product, const std::string& ptr, VexProduct p) {
  if (const json* h = OptObject(product, ptr, "product_identification_helper")) {
    const std::string hp = At(ptr, "product_identification_helper");
    if (std::string purl = OptString(*h, hp, "purl"); !purl.empty()) p.purl = purl;
    if (std::string cpe = OptString(*h, hp, "cpe"); !cpe.empty()) p.cpe = cpe;
  }
  return p;
}

void CsafBranches(const json& list, const std::string& ptr, VexProduct path,
                  std::map<std::string, VexProduct>& out, int depth) {
  if (depth > 30) Fail(ptr, "branches nested too deeply");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string bp = At(ptr, i);
    const json& b = Want(list[i], bp, json::value_t::object, "object");
    VexProduct here = path;
    const std::string category = OptString(b, bp, "category");
    const std::string name = OptString(b, bp, "name");
    if (category == "product_name") here.name = name;
    if (category == "product_version") here.version = name;
    if (const json* prod = OptObject(b, bp, "product")) {
      const std::string pp = At(bp, "product");
      out[NeedString(*prod, pp, "product_id")] = CsafHelper(*prod, pp, here);
    }
    if (const json* sub = OptArray(b, bp, "branches"))
      CsafBranches(*sub, At(bp, "branches"), here, out, depth + 1);
  }
}

void ParseCsaf(const json& j, VexDocument& doc) {
  std::map<std::string, VexProduct> products;
  const json* tree = OptObject(j, "", "product_tree");
  if (!tree) Fail("/product_tree", "missing: a csaf_vex document has a product_tree");
  if (const json* b = OptArray(*tree, "/product_tree", "branches"))
    CsafBranches(*b, "/product_tree/branches", {}, products, 0);
  if (const json* names = OptArray(*tree, "/product_tree", "full_product_names")) {
    for (std::size_t i = 0; i < names->size(); ++i) {
      const std::string np = At("/product_tree/full_product_names", i);
      const json& n = Want((*names)[i], np, json::value_t::object, "object");
      VexProduct p;
      p.name = OptString(n, np, "name");
      products[NeedString(n, np, "product_id")] = CsafHelper(n, np, p);
    }
  }
  // A relationship names a product made of others ("busybox as a component of the camera"): the
  // statement is about the component it refers to.
  if (const json* rels = OptArray(*tree, "/product_tree", "relationships")) {
    for (std::size_t i = 0; i < rels->size(); ++i) {
      const std::string rp = At("/product_tree/relationships", i);
      const json& r = Want((*rels)[i], rp, json::value_t::object, "object");
      const json* full = OptObject(r, rp, "full_product_name");
      if (!full) Fail(At(rp, "full_product_name"), "missing");
      const std::string id = NeedString(*full, At(rp, "full_product_name"), "product_id");
      const std::string ref = NeedString(r, rp, "product_reference");
      auto it = products.find(ref);
      if (it == products.end()) {
        Fail(At(rp, "product_reference"),
             "product id \"" + BoundExcerpt(ref) + "\" is not defined in the product_tree");
      }
      products[id] = it->second;
    }
  }
  const json* vulns = OptArray(j, "", "vulnerabilities");
  if (!vulns) Fail("/vulnerabilities", "missing");
  static const std::pair<const char*, VexStatus> kStatusLists[] = {
      {"known_not_affected", VexStatus::kNotAffected},
      {"fixed", VexStatus::kFixed},
      {"first_fixed", VexStatus::kFixed},
      {"known_affected", VexStatus::kAffected},
      {"first_affected", VexStatus::kAffected},
      {"last_affected", VexStatus::kAffected},
      {"under_investigation", VexStatus::kUnderInvestigation}};
  for (std::size_t i = 0; i < vulns->size(); ++i) {
    const std::string ptr = At("/vulnerabilities", i);
    const json& v = Want((*vulns)[i], ptr, json::value_t::object, "object");
    std::vector<std::string> ids;
    if (std::string cve = OptString(v, ptr, "cve"); !cve.empty()) ids.push_back(cve);
    if (const json* more = OptArray(v, ptr, "ids")) {
      for (std::size_t k = 0; k < more->size(); ++k) {
        const std::string ip = At(At(ptr, "ids"), k);
        ids.push_back(
            NeedString(Want((*more)[k], ip, json::value_t::object, "object"), ip, "text"));
      }
    }
    if (ids.empty()) Fail(ptr, "vulnerability without cve or ids");
    // Justifications (flags) and impact statements (threats of category impact) per product.
    std::map<std::string, std::string> flag_of, impact_of;
    auto per_product = [&](const char* list_key, const char* value_key,
                           std::map<std::string, std::string>& into, const char* only_category) {
      const json* list = OptArray(v, ptr, list_key);
      if (!list) return;
      for (std::size_t k = 0; k < list->size(); ++k) {
        const std::string ep = At(At(ptr, list_key), k);
        const json& e = Want((*list)[k], ep, json::value_t::object, "object");
        if (only_category && OptString(e, ep, "category") != only_category) continue;
        const std::string value = OptString(e, ep, value_key);
        if (const json* pids = OptArray(e, ep, "product_ids")) {
          for (std::size_t m = 0; m < pids->size(); ++m) {
            into[Want((*pids)[m], At(At(ep, "product_ids"), m), json::value_t::string, "string")
                     .get<std::string>()] = value;
          }
        }
      }
    };
    per_product("flags", "label", flag_of, nullptr);
    per_product("threats", "details", impact_of, "impact");
    const json* status = OptObject(v, ptr, "product_status");
    if (!status) Fail(At(ptr, "product_status"), "missing");
    const std::string sp = At(ptr, "product_status");
    for (const auto& [key, st] : kStatusLists) {
      const json* list = OptArray(*status, sp, key);
      if (!list) continue;
      for (std::size_t k = 0; k < list->size(); ++k) {
        const std::string lp = At(At(sp, key), k);
        const std::string pid =
            Want((*list)[k], lp, json::value_t::string, "string").get<std::string>();
        auto p = products.find(pid);
        if (p == products.end()) {
          Fail(lp, "product id \"" + BoundExcerpt(pid) + "\" is not defined in the product_tree");
        }
        VexStatement s;
        s.ids = ids;
        s.pointer = lp;
        s.status = st;
        s.products.push_back(p->second);
        if (auto f = flag_of.find(pid); f != flag_of.end()) s.justification = f->second;
        if (auto t = impact_of.find(pid); t != impact_of.end()) s.impact = t->second;
        AddStatement(doc, std::move(s));
      }
    }
  }
}

// ---- matching ----

// "pkg:type/ns/name@version" without qualifiers and subpath, type and name lower-cased (PURL
// types that matter here are case-insensitive); `version` receives the version.
std::string PurlBase(std::string_view purl, std::string* version) {
  std::string p(purl.substr(0, purl.find_first_of("?#")));
  std::string v;
  const auto slash = p.rfind('/');
  const auto at = p.rfind('@');
  if (at != std::string::npos && (slash == std::string::npos || at > slash)) {
    v = PercentDecode(p.substr(at + 1));
    p.resize(at);
  }
  if (version) *version = v;
  return Lower(PercentDecode(p));
}

// vendor, product, version of a CPE 2.3 ("cpe:2.3:a:v:p:ver:...") or 2.2 ("cpe:/a:v:p:ver").
bool CpeParts(std::string_view cpe, std::string out[3]) {
  const std::vector<std::string> parts = SplitCpe(cpe);
  std::size_t first = 0;
  if (parts.size() >= 5 && parts[0] == "cpe" && parts[1] == "2.3") {
    first = 3;
  } else if (parts.size() >= 4 && parts[0] == "cpe" && parts[1].starts_with("/")) {
    first = 2;
  } else {
    return false;
  }
  for (int k = 0; k < 3; ++k) {
    out[k] = first + k < parts.size() ? Lower(parts[first + k]) : std::string();
  }
  return true;
}

bool AnyVersion(const std::string& v) { return v.empty() || v == "*" || v == "-"; }

// The rank of the best match of `p` to `c`: 3 PURL, 2 CPE, 1 name(@version), 0 none.
int MatchRank(const VexProduct& p, const VexComponent& c) {
  int best = 0;
  if (!p.purl.empty() && !c.purl.empty()) {
    std::string pv, cv;
    if (PurlBase(p.purl, &pv) == PurlBase(c.purl, &cv) && (pv.empty() || pv == cv)) return 3;
  }
  if (!p.cpe.empty()) {
    std::string pc[3], cc[3];
    bool have = CpeParts(p.cpe, pc);
    if (have && !c.cpe.empty() && CpeParts(c.cpe, cc)) {
      // compare with the component's own CPE
    } else if (have && !c.vendor.empty()) {
      cc[0] = Lower(c.vendor);
      cc[1] = Lower(c.product);
      cc[2] = Lower(c.version);
    } else {
      have = false;
    }
    if (have && pc[0] == cc[0] && pc[1] == cc[1] && (AnyVersion(pc[2]) || pc[2] == cc[2])) {
      best = 2;
    }
  }
  if (best == 0 && !p.name.empty()) {
    const std::string n = Lower(p.name);
    if ((n == Lower(c.name) && (p.version.empty() || p.version == c.version)) ||
        (!c.package.empty() && n == Lower(c.package) &&
         (p.version.empty() || p.version == c.package_version))) {
      best = 1;
    }
  }
  return best;
}

}  // namespace

const char* VexStatusName(VexStatus s) {
  switch (s) {
    case VexStatus::kNotAffected:
      return "not_affected";
    case VexStatus::kFixed:
      return "fixed";
    case VexStatus::kAffected:
      return "affected";
    case VexStatus::kUnderInvestigation:
      return "under_investigation";
  }
  return "affected";
}

std::string VexProduct::Describe() const {
  if (!purl.empty()) return purl;
  if (!cpe.empty()) return cpe;
  return version.empty() ? name : name + "@" + version;
}

Result<VexDocument> ParseVex(std::string_view text, std::string_view input) {
  const std::string in(input);
  if (text.size() > kMaxVexBytes) {
    return MakeError(Errc::kLimitExceeded,
                     fmt::format("VEX document larger than {} bytes", kMaxVexBytes), in);
  }
  if (NestingDepth(text, kMaxVexDepth) > kMaxVexDepth) {
    return MakeError(Errc::kLimitExceeded,
                     fmt::format("JSON nested deeper than {} levels", kMaxVexDepth), in);
  }
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return MakeError(Errc::kCorrupt, "not valid JSON", in, e.byte > 0 ? e.byte - 1 : 0);
  } catch (const json::out_of_range& e) {
    // A number no double holds ("1e400"): the parser throws out_of_range, with no offset; the
    // offset is the number's, found by its text in the message.
    const std::string what = e.what();
    const std::size_t open = what.find('\'');
    const std::size_t close = what.rfind('\'');
    std::size_t at = 0;
    if (open != std::string::npos && close > open + 1) {
      at = text.find(std::string_view(what).substr(open + 1, close - open - 1));
      if (at == std::string_view::npos) at = 0;
    }
    return MakeError(Errc::kCorrupt, "not valid JSON: a number out of range", in, at);
  }
  VexDocument doc;
  doc.source = in;
  try {
    if (!j.is_object()) Fail("", std::string("expected object, got ") + j.type_name());
    auto ctx = j.find("@context");
    auto bom = j.find("bomFormat");
    auto document = j.find("document");
    if (ctx != j.end() && ctx->is_string() &&
        ctx->get<std::string>().find("openvex") != std::string::npos) {
      doc.format = "openvex";
      ParseOpenVex(j, doc);
    } else if (bom != j.end() && bom->is_string() && *bom == "CycloneDX") {
      doc.format = "cyclonedx";
      ParseCycloneDx(j, doc);
    } else if (document != j.end() && document->is_object()) {
      const std::string category = OptString(*document, "/document", "category");
      if (category != "csaf_vex") {
        Fail("/document/category", "expected \"csaf_vex\", got \"" + BoundExcerpt(category) + "\"");
      }
      doc.format = "csaf";
      ParseCsaf(j, doc);
    } else {
      return MakeError(Errc::kNotThisFormat,
                       "not an OpenVEX, CycloneDX VEX or CSAF VEX document (no @context openvex, "
                       "bomFormat CycloneDX or document.category csaf_vex)",
                       in);
    }
  } catch (const VexFieldError& e) {
    return MakeError(Errc::kCorrupt, e.pointer + ": " + e.what, in);
  }
  return doc;
}

Result<VexDocument> ReadVexFile(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return MakeError(Errc::kIo, "cannot read: " + ec.message(), path.string());
  if (size > kMaxVexBytes) {
    return MakeError(Errc::kLimitExceeded,
                     fmt::format("VEX document of {} bytes, larger than {}", size, kMaxVexBytes),
                     path.string());
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return MakeError(Errc::kIo, "cannot open", path.string());
  std::string text(static_cast<std::size_t>(size), '\0');
  f.read(text.data(), static_cast<std::streamsize>(size));
  text.resize(static_cast<std::size_t>(f.gcount()));
  return ParseVex(text, path.string());
}

std::optional<VexDecision> DecideVex(const std::vector<VexDocument>& docs, std::string_view id,
                                     const VexComponent& c) {
  const std::string want = Lower(id);
  std::optional<VexDecision> best;
  std::size_t best_doc = 0;
  int best_rank = -1;
  std::vector<std::pair<std::size_t, const VexStatement*>> earlier;  // winners of earlier docs
  for (std::size_t d = 0; d < docs.size(); ++d) {
    const VexStatement* doc_best = nullptr;
    int doc_rank = -1;
    for (const VexStatement& s : docs[d].statements) {
      bool covers = false;
      for (const auto& sid : s.ids) covers = covers || Lower(sid) == want;
      if (!covers) continue;
      int rank = s.products.empty() ? 0 : -1;
      for (const auto& p : s.products) {
        const int r = MatchRank(p, c);
        if (r > 0) rank = std::max(rank, r);
      }
      if (rank < 0 || rank < doc_rank) continue;
      doc_best = &s;  // at equal rank the later statement wins
      doc_rank = rank;
    }
    if (!doc_best) continue;
    if (best) earlier.emplace_back(best_doc, best->statement);
    best = VexDecision{doc_best, "", {}};
    best_doc = d;
    best_rank = doc_rank;
  }
  if (!best) return std::nullopt;
  static const char* const kBy[] = {"every product", "name@version", "cpe", "purl"};
  best->matched_by = kBy[best_rank];
  for (const auto& [d, s] : earlier) {
    if (s->status != best->statement->status) best->overridden.push_back(s);
  }
  return best;
}

}  // namespace iotcop::vuln
