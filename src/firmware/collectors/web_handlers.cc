// Web handlers collector: the image's CGI scripts (cgi-bin/, www/, *.cgi, haserl pages), LuCI
// controllers and CBI models, and PHP pages, each parsed by firmware/taint and run through its
// taint engine. Emits a `web_handler` fact per handler (analysed or why not: precompiled Lua,
// a server-side template without an interpreter line, an ELF program, a parse error) and a
// `web_taint` fact per request value that reaches a command sink, with the chain of lines. For
// LuCI controllers, the dispatcher entry that calls the handler and whether it asks for a login.
#include <fmt/format.h>

#include <map>

#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "firmware/taint/taint.h"
#include "firmware/text.h"

namespace iotcop::firmware {
namespace {

struct WebFile {
  taint::Lang lang = taint::Lang::kShell;
  std::string kind;
};

bool InWebFolder(std::string_view path) {
  return path.find("/cgi-bin/") != std::string_view::npos ||
         path.find("/www/") != std::string_view::npos || path.starts_with("/www") ||
         path.find("/htdocs/") != std::string_view::npos ||
         path.find("/web/") != std::string_view::npos;
}

// What kind of handler `path` is, from its place and name and the first line of `head`.
std::optional<WebFile> WebFileKind(std::string_view path, std::string_view head) {
  const std::string_view base = Basename(path);
  const std::string_view first = head.substr(0, head.find('\n'));
  const bool shebang = first.starts_with("#!");
  if (path.find("/luci/controller/") != std::string_view::npos && base.ends_with(".lua"))
    return WebFile{taint::Lang::kLua, "luci-controller"};
  if (path.find("/luci/model/cbi/") != std::string_view::npos && base.ends_with(".lua"))
    return WebFile{taint::Lang::kLua, "luci-cbi"};
  if (base.ends_with(".php") && path.find("/usr/share/doc/") == std::string_view::npos)
    return WebFile{taint::Lang::kPhp, "php"};
  if (shebang && first.find("haserl") != std::string_view::npos)
    return WebFile{taint::Lang::kShell, "haserl"};
  const bool cgi = base.ends_with(".cgi") || path.find("/cgi-bin/") != std::string_view::npos ||
                   (base.ends_with(".sh") && InWebFolder(path));
  if (!cgi) return std::nullopt;
  if (shebang && first.find("lua") != std::string_view::npos)
    return WebFile{taint::Lang::kLua, "cgi"};
  if (shebang && first.find("php") != std::string_view::npos)
    return WebFile{taint::Lang::kPhp, "cgi"};
  return WebFile{taint::Lang::kShell, "cgi"};
}

// LuCI dispatcher entries: entry({"admin", "x"}, call("f"), ...) and their sysauth.
struct LuciEntry {
  std::string path;
  std::string target;  // the function call() names
  bool authenticated = false;
};

std::string LuciLiteral(const taint::Expr& e) {
  const taint::Expr* x = &e;
  while ((x->kind == taint::Expr::Kind::kConcat || x->kind == taint::Expr::Kind::kUnion) &&
         x->parts.size() == 1)
    x = &x->parts[0];
  return x->kind == taint::Expr::Kind::kLiteral ? x->text : std::string();
}

void WalkLuciEntries(const std::vector<taint::Stmt>& body, std::vector<LuciEntry>& out,
                     std::map<std::string, std::size_t>& vars) {
  std::optional<std::size_t> last;  // the entry of the last statement (entry(...).sysauth = ...)
  for (const taint::Stmt& s : body) {
    const taint::Expr& v = s.value;
    if (v.kind == taint::Expr::Kind::kCall && (v.text == "entry" || v.text.ends_with(".entry")) &&
        v.parts.size() >= 2) {
      LuciEntry e;
      std::vector<std::string> segs;
      for (const auto& p : v.parts[0].parts) segs.push_back(LuciLiteral(p));
      for (std::size_t k = 0; k < segs.size(); ++k) e.path += (k ? "/" : "") + segs[k];
      // Old LuCI: the "admin" tree asks for a login (sysauth set on its root node).
      e.authenticated = !segs.empty() && segs[0] == "admin";
      const taint::Expr& target = v.parts[1];
      if (target.kind == taint::Expr::Kind::kCall && target.text == "call" && !target.parts.empty())
        e.target = LuciLiteral(target.parts[0]);
      out.push_back(std::move(e));
      last = out.size() - 1;
      if (s.kind == taint::Stmt::Kind::kAssign) vars[s.name] = *last;
      continue;
    }
    if (s.kind == taint::Stmt::Kind::kAssign && s.name.ends_with(".sysauth")) {
      const std::string base = s.name.substr(0, s.name.size() - 8);
      std::optional<std::size_t> which;
      if (base.ends_with("entry()")) which = last;
      if (auto it = vars.find(base); it != vars.end()) which = it->second;
      if (which) {
        const std::string lit = LuciLiteral(s.value);
        out[*which].authenticated = !(lit == "false" || lit == "nil");
      }
    }
    last.reset();
    WalkLuciEntries(s.body, out, vars);
  }
}

void CollectWebHandlers(const FirmwareInput& in, FactStore& facts, std::vector<Problem>&) {
  const auto& tree = in.tree;
  for (const unpack::Entry* e : RegularFiles(tree)) {
    if (!WebFileKind(e->path, "#!/bin/sh")) continue;  // by place and name first: no read
    const auto head = ReadCapped(tree, *e, 512);
    if (!head) continue;
    const auto kind = WebFileKind(e->path, *head);
    if (!kind) continue;
    const std::string path = tree.DisplayPath(*e);
    nlohmann::json handler = {{"path", path},
                              {"language", taint::LangName(kind->lang)},
                              {"kind", kind->kind},
                              {"analysed", false},
                              {"injections", 0}};
    auto not_analysed = [&](std::string reason) {
      handler["reason"] = reason;
      facts.Add(facts::kWebHandler, handler, FileEvidence(in, *e, std::nullopt, reason),
                "web_handlers");
    };
    if (head->starts_with("\x1bLua")) {
      not_analysed("precompiled Lua bytecode (luac): not analysed");
      continue;
    }
    if (head->starts_with("\x7f"
                          "ELF")) {
      not_analysed("an ELF program, not a script: not analysed");
      continue;
    }
    if (kind->kind == "cgi" && !head->starts_with("#!")) {
      not_analysed("no interpreter line (a server-side template or data file): not analysed");
      continue;
    }
    if (e->size > taint::kMaxInput) {
      not_analysed(fmt::format("{} bytes: above the parse limit of {}", e->size, taint::kMaxInput));
      continue;
    }
    const auto text = ReadCapped(tree, *e, taint::kMaxInput);
    if (!text || !LooksLikeText(*text)) {
      not_analysed("not readable as text");
      continue;
    }
    auto program = taint::Parse(kind->lang, *text, path);
    if (!program) {
      not_analysed(program.error().Describe());
      continue;
    }
    const auto found = taint::FindInjections(*program, *text);
    std::vector<LuciEntry> entries;
    if (kind->lang == taint::Lang::kLua && kind->kind == "luci-controller") {
      std::map<std::string, std::size_t> vars;
      WalkLuciEntries(program->body, entries, vars);
    }
    handler["analysed"] = true;
    handler["injections"] = found.size();
    facts.Add(facts::kWebHandler, handler,
              FileEvidence(in, *e, std::nullopt,
                           fmt::format("{} {} handler", taint::LangName(kind->lang), kind->kind)),
              "web_handlers");
    for (const auto& f : found) {
      nlohmann::json chain = nlohmann::json::array();
      for (const auto& step : f.chain) chain.push_back(fmt::format("{}: {}", step.line, step.code));
      nlohmann::json v = {{"path", path},
                          {"line", f.line},
                          {"language", taint::LangName(kind->lang)},
                          {"source", f.source},
                          {"sink", f.sink},
                          {"function", f.function},
                          {"excerpt", BoundExcerpt(f.excerpt)},
                          {"chain", chain},
                          {"entry", ""},
                          {"authenticated", nullptr}};
      for (const auto& en : entries) {
        const std::string fn = f.function.substr(f.function.rfind('.') + 1);
        if (!en.target.empty() && en.target == fn) {
          v["entry"] = en.path;
          v["authenticated"] = en.authenticated;
          if (!en.authenticated) break;  // one open entry is enough
        }
      }
      facts.Add(facts::kWebTaint, std::move(v),
                FileEvidence(in, *e, f.line, BoundExcerpt(f.excerpt)), "web_handlers");
    }
  }
}

}  // namespace

std::unique_ptr<const Collector> MakeWebHandlersCollector() {
  return MakeFunctionCollector(
      {"web_handlers",
       "CGI scripts, haserl pages, LuCI controllers and PHP pages: request "
       "values followed to command sinks (firmware/taint)",
       {facts::kWebHandler, facts::kWebTaint}},
      CollectWebHandlers);
}

}  // namespace iotcop::firmware
