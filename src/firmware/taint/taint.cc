// The taint engine of firmware/taint over the IR of taint.h: statements run in order (branches
// and loop bodies once, in order), an environment maps variables to the taint they hold with the
// chain of lines that brought it; the file's own functions are analysed at each call with the
// taint of the arguments (depth 4) and once more on their own at the end (web frameworks call
// handlers the file never calls, e.g. LuCI's dispatcher).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "firmware/taint/taint.h"

namespace iotcop::firmware::taint {

const char* LangName(Lang l) {
  switch (l) {
    case Lang::kShell:
      return "shell";
    case Lang::kLua:
      return "lua";
    case Lang::kPhp:
      return "php";
  }
  return "?";
}

Result<Program> Parse(Lang lang, std::string_view text, std::string_view input) {
  switch (lang) {
    case Lang::kShell:
      return ParseShell(text, input);
    case Lang::kLua:
      return ParseLua(text, input);
    case Lang::kPhp:
      return ParsePhp(text, input);
  }
  return MakeError(Errc::kInternal, "unknown language", std::string(input));
}

namespace {

struct Taint {
  bool on = false;
  std::string source;
  std::vector<std::uint32_t> lines;  // source first
};

Taint Then(Taint t, std::uint32_t line) {
  if (t.on && line && (t.lines.empty() || t.lines.back() != line) && t.lines.size() < 64)
    t.lines.push_back(line);
  return t;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s == suffix || (s.size() > suffix.size() && s.ends_with(suffix) &&
                         s[s.size() - suffix.size() - 1] == '.');
}

using Env = std::map<std::string, Taint>;

class Engine {
 public:
  Engine(const Program& p, std::string_view text) : p_(p), text_(text) {
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      lines_.push_back(text.substr(start, end - start));
      start = end + 1;
    }
  }

  std::vector<TaintFinding> Run() {
    Env env;
    Collect(p_.body);
    Block(p_.body, env);
    // Every function once more on its own, with the globals as the top level left them. LuCI
    // passes the URL's path segments after an entry's path to its call() target as arguments.
    // The dispatched ones first, so that a sink in a helper is named after the handler.
    std::stable_partition(functions_.begin(), functions_.end(), [&](const auto& f) {
      return luci_targets_.count(f.first.substr(f.first.rfind('.') + 1)) > 0;
    });
    for (std::size_t k = 0; k < functions_.size(); ++k) {
      const auto& [name, fn] = functions_[k];
      Env local = env;
      const bool dispatched = luci_targets_.count(name.substr(name.rfind('.') + 1)) > 0;
      for (const auto& param : fn->params) {
        local.erase(param);
        if (dispatched && param != "...")
          local[param] = Source(
              "URL path segment (LuCI call(\"" + name + "\") argument " + param + ")", fn->line);
      }
      const std::string outer = function_;
      function_ = name;
      Taint ignored;
      Body(fn->body, local, ignored);
      function_ = outer;
    }
    return std::move(findings_);
  }

 private:
  struct Fn {
    std::vector<std::string> params;
    const std::vector<Stmt>& body;
    std::uint32_t line = 0;
  };
  std::set<std::string> luci_targets_;      // functions named by call("...") (Lua)
  std::map<std::string, Taint> summaries_;  // Invoke results by function and tainted arguments
  const Program& p_;
  std::string_view text_;
  std::vector<std::string_view> lines_;
  std::vector<std::pair<std::string, std::shared_ptr<Fn>>> functions_;
  std::map<std::string, std::shared_ptr<Fn>> by_name_;
  std::vector<TaintFinding> findings_;
  std::set<std::string> seen_;
  std::string function_;
  int call_depth_ = 0;
  std::size_t work_ = 0;
  Taint* output_ = nullptr;  // shell: what echo/printf write in the current substitution

  std::string Code(std::uint32_t line) const {
    if (line == 0 || line > lines_.size()) return {};
    std::string_view l = lines_[line - 1];
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    while (!l.empty() && (l.back() == ' ' || l.back() == '\t' || l.back() == '\r'))
      l.remove_suffix(1);
    return std::string(l.substr(0, 200));
  }

  // Function definitions anywhere (hoisted; anonymous ones too).
  void Collect(const std::vector<Stmt>& body) {
    for (const Stmt& s : body) {
      if (s.kind == Stmt::Kind::kFunction) {
        auto fn = std::make_shared<Fn>(Fn{s.params, s.body, s.line});
        functions_.emplace_back(s.name, fn);
        if (!by_name_.count(s.name)) by_name_[s.name] = fn;
        if (auto dot = s.name.rfind('.');
            dot != std::string::npos && !by_name_.count(s.name.substr(dot + 1)))
          by_name_[s.name.substr(dot + 1)] = fn;
      }
      Collect(s.body);
      CollectExpr(s.value);
    }
  }
  void CollectExpr(const Expr& e) {
    if (e.kind == Expr::Kind::kFunction && e.text != "=") {
      functions_.emplace_back("(anonymous, line " + std::to_string(e.line) + ")",
                              std::make_shared<Fn>(Fn{e.params, e.body, e.line}));
    }
    if (p_.lang == Lang::kLua && e.kind == Expr::Kind::kCall && e.text == "call" &&
        !e.parts.empty() && e.parts[0].kind == Expr::Kind::kLiteral)
      luci_targets_.insert(e.parts[0].text);
    for (const auto& x : e.parts) CollectExpr(x);
    Collect(e.body);
  }

  void Report(const Taint& t, std::uint32_t line, std::string sink) {
    const std::string key = fmt::format("{}|{}|{}", line, sink, t.source);
    if (!seen_.insert(key).second) return;
    TaintFinding f;
    f.line = line;
    f.sink = std::move(sink);
    f.source = t.source;
    f.excerpt = Code(line);
    f.function = function_;
    for (auto l : Then(t, line).lines) f.chain.push_back({l, Code(l)});
    findings_.push_back(std::move(f));
  }

  // --- sources ---
  static bool RequestEnv(std::string_view name) {
    return name == "QUERY_STRING" || name == "REQUEST_URI" || name == "PATH_INFO" ||
           name == "CONTENT_TYPE" || name == "HTTP_COOKIE" || name.starts_with("HTTP_") ||
           name == "PATH_TRANSLATED" || name == "SCRIPT_URL";
  }
  Taint Source(std::string what, std::uint32_t line) {
    Taint t;
    t.on = true;
    t.source = std::move(what);
    t.lines.push_back(line);
    return t;
  }

  Taint VarTaint(const std::string& name, std::uint32_t line, const Env& env) {
    if (auto it = env.find(name); it != env.end()) return it->second;
    if (p_.lang == Lang::kShell) {
      if (RequestEnv(name) || name.starts_with("FORM_") || name.starts_with("GET_") ||
          name.starts_with("POST_") || name.starts_with("COOKIE_"))
        return Source("$" + name, line);
    } else if (p_.lang == Lang::kPhp) {
      if (name == "_GET" || name == "_POST" || name == "_REQUEST" || name == "_COOKIE" ||
          name == "_FILES")
        return Source("$" + name, line);
    }
    return {};
  }

  // --- expressions ---
  static const Expr* Single(const Expr& e) {
    const Expr* x = &e;
    while ((x->kind == Expr::Kind::kConcat || x->kind == Expr::Kind::kUnion) &&
           x->parts.size() == 1)
      x = &x->parts[0];
    return x;
  }
  static std::string LiteralOf(const Expr& e) {
    const Expr* x = Single(e);
    return x->kind == Expr::Kind::kLiteral ? x->text : std::string();
  }

  Taint Any(const std::vector<Expr>& parts, Env& env, std::size_t from = 0) {
    Taint first;
    for (std::size_t k = from; k < parts.size(); ++k) {
      Taint t = Eval(parts[k], env);
      if (t.on && !first.on) first = std::move(t);
    }
    return first;
  }

  Taint Eval(const Expr& e, Env& env) {
    if (++work_ > 500'000) return {};
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        return {};
      case Expr::Kind::kVar:
        return VarTaint(e.text, e.line, env);
      case Expr::Kind::kClean:
        Any(e.parts, env);
        return {};
      case Expr::Kind::kConcat:
      case Expr::Kind::kUnion:
        return Any(e.parts, env);
      case Expr::Kind::kIndex: {
        if (e.parts.size() == 2 && e.parts[0].kind == Expr::Kind::kVar) {
          const std::string base = e.parts[0].text;
          const std::string key = LiteralOf(e.parts[1]);
          if (p_.lang == Lang::kPhp && base == "_SERVER" && !env.count(base))
            return RequestEnv(key) ? Source("$_SERVER['" + key + "']", e.line) : Taint{};
          if (p_.lang == Lang::kPhp && !env.count(base) &&
              (base == "_GET" || base == "_POST" || base == "_REQUEST" || base == "_COOKIE"))
            return Source(fmt::format("${}['{}']", base, key), e.line);
        }
        return Any(e.parts, env);
      }
      case Expr::Kind::kSubst: {
        Taint out;
        Taint* outer = output_;
        output_ = &out;
        Env sub = env;
        Block(e.body, sub);
        output_ = outer;
        return out;
      }
      case Expr::Kind::kFunction:
        if (e.text == "=" && !e.parts.empty() && !e.params.empty()) {
          Taint v = Then(Eval(e.parts[0], env), e.line);
          env[e.params[0]] = v;
          return v;
        }
        return {};
      case Expr::Kind::kCall:
        return Call(e, env, Taint{});
    }
    return {};
  }

  // --- calls: sources, sanitizers, sinks, the file's own functions ---
  Taint Call(const Expr& c, Env& env, const Taint& stdin_taint) {
    std::vector<Taint> args;
    args.reserve(c.parts.size());
    for (const auto& a : c.parts) args.push_back(Eval(a, env));
    auto first_tainted = [&](std::size_t from) -> const Taint* {
      for (std::size_t k = from; k < args.size(); ++k) {
        if (args[k].on) return &args[k];
      }
      return nullptr;
    };
    const std::string& f = c.text;
    switch (p_.lang) {
      case Lang::kShell:
        return ShellCall(c, args, env, stdin_taint);
      case Lang::kLua: {
        if (EndsWith(f, "formvalue") || EndsWith(f, "formvaluetable") || EndsWith(f, "content") ||
            EndsWith(f, "urldecode_params") || EndsWith(f, "luci.http.getcookie"))
          if (f.find("http") != std::string::npos || f == "formvalue")
            return Source(
                f + "(" + (c.parts.empty() ? "" : "\"" + LiteralOf(c.parts.back()) + "\"") + ")",
                c.line);
        if ((EndsWith(f, "getenv")) && !c.parts.empty() && RequestEnv(LiteralOf(c.parts.back())))
          return Source(f + "(\"" + LiteralOf(c.parts.back()) + "\")", c.line);
        if (f == "tonumber" || EndsWith(f, "shellquote") || f == "math.floor") return {};
        // Not string.format's %q: it escapes " \ and newlines for Lua, not $( ) or ` for a
        // shell, so "ping %q" % addr still runs $(cmd) inside the double quotes.
        static constexpr std::string_view kSinks[] = {
            "os.execute",    "io.popen",      "sys.call",  "sys.exec",
            "sys.fork_exec", "sys.fork_call", "util.exec", "sys.process.exec"};
        for (auto s : kSinks) {
          if (EndsWith(f, s)) {
            if (const Taint* t = first_tainted(0)) Report(*t, c.line, f);
          }
        }
        break;
      }
      case Lang::kPhp: {
        if ((f == "file_get_contents" || f == "fopen") && !c.parts.empty() &&
            LiteralOf(c.parts[0]) == "php://input")
          return Source(f + "('php://input')", c.line);
        if (f == "getenv" && !c.parts.empty() && RequestEnv(LiteralOf(c.parts[0])))
          return Source("getenv('" + LiteralOf(c.parts[0]) + "')", c.line);
        static constexpr std::string_view kClean[] = {
            "escapeshellarg", "escapeshellcmd", "intval",     "floatval",
            "strlen",         "count",          "is_numeric", "preg_match",
            "in_array",       "file_exists",    "is_file",    "md5",
            "sha1",           "crc32",          "filter_var", "abs",
            "round",          "ctype_digit"};
        for (auto k : kClean) {
          if (f == k) return {};
        }
        static constexpr std::string_view kSinks[] = {
            "system", "exec", "shell_exec", "passthru", "popen", "proc_open", "`backticks`"};
        for (auto s : kSinks) {
          if (f == s) {
            if (const Taint* t = first_tainted(0)) Report(*t, c.line, f);
          }
        }
        break;
      }
    }
    // The file's own function: analysed with the arguments' taint.
    if (auto it = by_name_.find(f); it != by_name_.end() && !f.empty()) {
      return Invoke(*it->second, args, c.line, env);
    }
    // Anything else passes its arguments' taint on (string functions, unknown helpers).
    if (const Taint* t = first_tainted(0)) return *t;
    return {};
  }

  Taint Invoke(const Fn& fn, const std::vector<Taint>& args, std::uint32_t line, const Env& env) {
    if (call_depth_ >= 4) return {};
    // One analysis per function and pattern of tainted arguments: the findings inside are
    // reported the first time; later calls reuse the result (bounds a file of many calls).
    std::string key = std::to_string(reinterpret_cast<std::uintptr_t>(&fn)) + ":";
    for (const auto& a : args) key += a.on ? '1' : '0';
    if (auto it = summaries_.find(key); it != summaries_.end()) {
      return it->second.on ? Then(it->second, line) : Taint{};
    }
    summaries_[key] = Taint{};  // recursion: clean while in progress
    Taint result = Analyse(fn, args, line, env);
    summaries_[key] = result;
    return result.on ? Then(result, line) : Taint{};
  }

  Taint Analyse(const Fn& fn, const std::vector<Taint>& args, std::uint32_t line, const Env& env) {
    ++call_depth_;
    Env local = env;
    for (std::size_t k = 0; k < fn.params.size(); ++k) {
      local.erase(fn.params[k]);
      if (k < args.size() && args[k].on) local[fn.params[k]] = Then(args[k], line);
    }
    if (p_.lang == Lang::kShell) {
      for (std::size_t k = 1; k < args.size() && k < 10; ++k) {
        local.erase(std::to_string(k));
        if (args[k].on) local[std::to_string(k)] = Then(args[k], line);
      }
    }
    Taint ret;
    Taint out;
    Taint* outer = output_;
    if (p_.lang == Lang::kShell) output_ = &out;
    Body(fn.body, local, ret);
    output_ = outer;
    --call_depth_;
    return p_.lang == Lang::kShell ? out : ret;
  }

  static bool IsShellName(std::string_view n) {
    if (auto slash = n.rfind('/'); slash != std::string_view::npos) n = n.substr(slash + 1);
    return n == "sh" || n == "ash" || n == "bash" || n == "dash" || n == "ksh" || n == "zsh";
  }

  Taint ShellCall(const Expr& c, const std::vector<Taint>& args, Env& env,
                  const Taint& stdin_taint) {
    const std::string& name = c.text;
    const std::uint32_t line = c.line;
    if (args.empty()) return {};
    // A command word from the request runs whatever the client names.
    if (args[0].on) Report(args[0], line, "command word");
    std::size_t arg0 = 0;
    std::string cmd = name;
    if (cmd == "busybox" && c.parts.size() > 1) {
      cmd = LiteralOf(c.parts[1]);
      arg0 = 1;
    }
    if (cmd == "eval") {
      for (std::size_t k = arg0 + 1; k < args.size(); ++k) {
        if (args[k].on) {
          Report(args[k], line, "eval");
          break;
        }
      }
    }
    if (IsShellName(cmd) || cmd == "su") {
      bool dash_c = false;
      for (std::size_t k = arg0 + 1; k < c.parts.size(); ++k) {
        const std::string lit = LiteralOf(c.parts[k]);
        if (!dash_c && lit.starts_with("-") && lit.find('c') != std::string::npos) {
          dash_c = true;
          continue;
        }
        if (dash_c && args[k].on) {
          Report(args[k], line, cmd + " -c");
          break;
        }
      }
      if (!dash_c && c.parts.size() == arg0 + 1 && stdin_taint.on)
        Report(stdin_taint, line, cmd + " (stdin)");
    }
    if (cmd == "read") {
      for (std::size_t k = arg0 + 1; k < c.parts.size(); ++k) {
        const std::string v = LiteralOf(c.parts[k]);
        if (v.empty() || v.starts_with("-")) continue;
        env[v] = stdin_taint.on ? Then(stdin_taint, line) : Source("read (request body)", line);
      }
      return {};
    }
    // The file's own function.
    if (auto it = by_name_.find(cmd); it != by_name_.end()) {
      Taint out = Invoke(*it->second, args, line, env);
      if (output_ && out.on && !output_->on) *output_ = out;
      return out;
    }
    if (cmd == "[" || cmd == "test") return {};
    // Output of the command: echo/printf write their words, filters their input and words.
    Taint out;
    if (cmd == "tr") {
      bool deleting = false;
      for (std::size_t k = arg0 + 1; k < c.parts.size(); ++k) {
        const std::string lit = LiteralOf(c.parts[k]);
        if (lit.starts_with("-") && lit.find('d') != std::string::npos &&
            lit.find('c') != std::string::npos)
          deleting = true;
      }
      if (deleting) return {};
    }
    for (std::size_t k = arg0 + 1; k < args.size() && !out.on; ++k) out = args[k];
    if (!out.on && stdin_taint.on) out = stdin_taint;
    if (!out.on && c.parts.size() == arg0 + 1 && (cmd == "cat" || cmd == "head" || cmd == "dd") &&
        output_ && !stdin_taint.on)
      out = Source(cmd + " (request body on stdin)", line);
    if (out.on && output_ && !output_->on) *output_ = Then(out, line);
    return out;
  }

  // --- statements ---
  void Block(const std::vector<Stmt>& body, Env& env) {
    Taint ignored;
    Body(body, env, ignored);
  }

  void Body(const std::vector<Stmt>& body, Env& env, Taint& ret) {
    for (const Stmt& s : body) {
      if (++work_ > 500'000) return;
      switch (s.kind) {
        case Stmt::Kind::kAssign: {
          Taint v = Eval(s.value, env);
          if (v.on) {
            env[s.name] = Then(std::move(v), s.line);
          } else {
            env[s.name] = Taint{};
          }
          break;
        }
        case Stmt::Kind::kExpr:
          if (p_.lang == Lang::kShell && s.value.kind == Expr::Kind::kCall) {
            Call(s.value, env, Taint{});
            ShellGuards(s.value, env);
          } else {
            Eval(s.value, env);
          }
          break;
        case Stmt::Kind::kFunction:
          break;
        case Stmt::Kind::kReturn: {
          Taint v = Eval(s.value, env);
          if (v.on && !ret.on) ret = Then(std::move(v), s.line);
          break;
        }
        case Stmt::Kind::kBlock: {
          // A guard inside a block (a case arm's whitelist, a Lua `if x:match(...)` branch) holds
          // in that block only: after it the variable is its value before (the block not run) or
          // the block's, tainted when either is.
          // A request variable never assigned (no entry: a source when read) becomes one again.
          std::vector<std::pair<std::string, std::optional<Taint>>> before;
          for (const Stmt& g : s.body) {
            if (g.kind != Stmt::Kind::kSanitize) continue;
            const auto it = env.find(g.name);
            if (it == env.end() && VarTaint(g.name, g.line, env).on)
              before.emplace_back(g.name, std::nullopt);
            else if (it != env.end() && it->second.on)
              before.emplace_back(g.name, it->second);
          }
          Body(s.body, env, ret);
          for (auto& [name, t] : before) {
            if (env[name].on) continue;
            if (t)
              env[name] = std::move(*t);
            else
              env.erase(name);
          }
          break;
        }
        case Stmt::Kind::kSanitize:
          env[s.name] = Taint{};
          break;
        case Stmt::Kind::kPipeline: {
          Taint carry;
          for (const Stmt& stage : s.body) {
            if (stage.kind == Stmt::Kind::kExpr && stage.value.kind == Expr::Kind::kCall) {
              Taint* outer = output_;
              Taint out;
              output_ = &out;
              Taint r = Call(stage.value, env, carry);
              output_ = outer;
              carry = out.on ? out : r;
            } else {
              Body({stage}, env, ret);
              carry = Taint{};
            }
          }
          if (carry.on && output_ && !output_->on) *output_ = carry;
          break;
        }
      }
    }
  }

  // A numeric test ([ "$x" -eq 0 ], test $x -gt 1) as a guard: the variable holds a number after.
  void ShellGuards(const Expr& c, Env& env) {
    if (c.text != "[" && c.text != "test") return;
    for (std::size_t k = 1; k + 1 < c.parts.size(); ++k) {
      const std::string op = LiteralOf(c.parts[k]);
      if (op != "-eq" && op != "-ne" && op != "-lt" && op != "-le" && op != "-gt" && op != "-ge")
        continue;
      for (std::size_t side : {k - 1, k + 1}) {
        const Expr* v = Single(c.parts[side]);
        if (v->kind == Expr::Kind::kVar) env[v->text] = Taint{};
      }
    }
  }
};

}  // namespace

std::vector<TaintFinding> FindInjections(const Program& p, std::string_view text) {
  Engine e(p, text);
  return e.Run();
}

}  // namespace iotcop::firmware::taint
