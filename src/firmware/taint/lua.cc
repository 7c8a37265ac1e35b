// Lua parser of firmware/taint: Lua 5.1 (LuCI's language) as a tokenizer and a recursive-descent
// parser of the whole statement and expression grammar (local/global assignments, calls and method
// calls, function definitions and anonymous functions, if / while / repeat / for / do blocks,
// table constructors, long strings and comments). Field chains of names ("luci.http.formvalue",
// "self.host") are variables of the IR, so values flow through table fields by name.
#include <fmt/format.h>

#include <optional>

#include "firmware/taint/parser_base.h"
#include "firmware/taint/taint.h"

namespace iotcop::firmware::taint {
namespace {

struct LuaToken {
  enum class Kind { kName, kString, kNumber, kOp, kEnd } kind = Kind::kEnd;
  std::string text;
  std::uint32_t line = 0;
  std::size_t offset = 0;
};

class LuaParser : TokenParser<LuaToken> {
 public:
  LuaParser(std::string_view text, std::string_view input) : TokenParser(text, input) {}

  Result<Program> Run() {
    Lex();
    Program p;
    p.lang = Lang::kLua;
    if (!err_) p.body = Block();
    if (!err_ && Cur().kind != LuaToken::Kind::kEnd)
      Fail(fmt::format("unexpected '{}'", Cur().text));
    if (err_) return *err_;
    return p;
  }

 private:
  // --- tokens ---
  // A long bracket [==[ at `i`: its level, or -1.
  int LongOpen(std::size_t i) const {
    if (i >= s_.size() || s_[i] != '[') return -1;
    std::size_t j = i + 1;
    int level = 0;
    while (j < s_.size() && s_[j] == '=') ++level, ++j;
    return j < s_.size() && s_[j] == '[' ? level : -1;
  }
  // Reads a long bracket at i of `level`; returns its content and moves i past it.
  std::optional<std::string> LongString(std::size_t& i, int level, std::uint32_t& line) {
    i += static_cast<std::size_t>(level) + 2;
    if (i < s_.size() && s_[i] == '\n') ++line, ++i;
    const std::string close = "]" + std::string(static_cast<std::size_t>(level), '=') + "]";
    const std::size_t end = s_.find(close, i);
    if (end == std::string_view::npos) return std::nullopt;
    std::string out(s_.substr(i, end - i));
    for (char c : out) line += c == '\n';
    i = end + close.size();
    return out;
  }

  void Lex() {
    std::size_t i = 0;
    std::uint32_t line = 1;
    if (s_.starts_with("#"))
      i = s_.find('\n') == std::string_view::npos ? s_.size() : s_.find('\n');
    while (i < s_.size()) {
      const char c = s_[i];
      if (c == '\n') {
        ++line, ++i;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++i;
        continue;
      }
      if (c == '-' && i + 1 < s_.size() && s_[i + 1] == '-') {
        i += 2;
        if (int level = LongOpen(i); level >= 0) {
          const std::uint32_t at = line;
          if (!LongString(i, level, line)) return FailAt(at, i, "unterminated long comment");
        } else {
          while (i < s_.size() && s_[i] != '\n') ++i;
        }
        continue;
      }
      if (toks_.size() >= kMaxTokens)
        return FailAt(line, i, "more than the token limit", Errc::kLimitExceeded);
      LuaToken tok;
      tok.line = line;
      tok.offset = i;
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        std::size_t j = i;
        while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '_'))
          ++j;
        tok.kind = LuaToken::Kind::kName;
        tok.text = std::string(s_.substr(i, j - i));
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && i + 1 < s_.size() &&
                  std::isdigit(static_cast<unsigned char>(s_[i + 1])))) {
        std::size_t j = i;
        while (j < s_.size() &&
               (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '.' ||
                ((s_[j] == '+' || s_[j] == '-') &&
                 (s_[j - 1] == 'e' || s_[j - 1] == 'E' || s_[j - 1] == 'p' || s_[j - 1] == 'P'))))
          ++j;
        tok.kind = LuaToken::Kind::kNumber;
        tok.text = std::string(s_.substr(i, j - i));
        i = j;
      } else if (c == '"' || c == '\'') {
        std::string v;
        std::size_t j = i + 1;
        for (;;) {
          if (j >= s_.size() || s_[j] == '\n') return FailAt(line, i, "unterminated string");
          if (s_[j] == c) break;
          if (s_[j] == '\\' && j + 1 < s_.size()) {
            const char e = s_[j + 1];
            j += 2;
            switch (e) {
              case 'n':
                v += '\n';
                break;
              case 't':
                v += '\t';
                break;
              case '\n':
                v += '\n';
                ++line;
                break;
              case 'z':
                while (j < s_.size() && std::isspace(static_cast<unsigned char>(s_[j]))) {
                  if (s_[j] == '\n') ++line;
                  ++j;
                }
                break;
              default:
                if (std::isdigit(static_cast<unsigned char>(e))) {
                  int n = e - '0';
                  for (int k = 0;
                       k < 2 && j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]));
                       ++k, ++j)
                    n = n * 10 + (s_[j] - '0');
                  v += static_cast<char>(n & 0xff);
                } else {
                  v += e;
                }
            }
            continue;
          }
          v += s_[j++];
        }
        tok.kind = LuaToken::Kind::kString;
        tok.text = std::move(v);
        i = j + 1;
      } else if (int level = LongOpen(i); level >= 0) {
        auto v = LongString(i, level, line);
        if (!v) return FailAt(tok.line, tok.offset, "unterminated long string");
        tok.kind = LuaToken::Kind::kString;
        tok.text = std::move(*v);
      } else {
        static constexpr std::string_view kOps[] = {
            "...", "..", "==", "~=", "<=", ">=", "::", "//", "<<", ">>"};
        tok.kind = LuaToken::Kind::kOp;
        for (auto op : kOps) {
          if (s_.substr(i).starts_with(op)) {
            tok.text = std::string(op);
            break;
          }
        }
        if (tok.text.empty()) {
          if (std::string_view("+-*/%^#&~|<>=(){}[];:,.").find(c) == std::string_view::npos)
            return FailAt(
                line, i,
                fmt::format("unexpected character 0x{:02x}", static_cast<unsigned char>(c)));
          tok.text = std::string(1, c);
        }
        i += tok.text.size();
      }
      toks_.push_back(std::move(tok));
    }
    PushEnd(line);
  }

  void Expect(std::string_view text) {
    if (!Accept(text)) Fail(fmt::format("expected '{}' near '{}'", text, Cur().text));
  }
  std::string Name() {
    if (Cur().kind != LuaToken::Kind::kName) {
      Fail(fmt::format("expected a name near '{}'", Cur().text));
      return {};
    }
    return toks_[t_++].text;
  }

  // --- statements ---
  bool BlockEnd() const {
    return Cur().kind == LuaToken::Kind::kEnd ||
           (Cur().kind == LuaToken::Kind::kName &&
            (Cur().text == "end" || Cur().text == "else" || Cur().text == "elseif" ||
             Cur().text == "until"));
  }

  std::vector<Stmt> Block() {
    std::vector<Stmt> out;
    if (!Enter()) return out;
    while (!err_ && !BlockEnd()) {
      const std::size_t before = t_;
      Statement(out);
      if (!err_ && t_ == before) Fail(fmt::format("unexpected '{}'", Cur().text));
    }
    --depth_;
    return out;
  }

  void Statement(std::vector<Stmt>& out) {
    const std::uint32_t line = Cur().line;
    if (Accept(";") || Accept("break")) return;
    if (Accept("::")) {
      Name();
      Expect("::");
      return;
    }
    if (Accept("goto")) {
      Name();
      return;
    }
    if (Accept("local")) {
      if (Accept("function")) {
        std::string name = Name();
        out.push_back(FunctionStmt(std::move(name), line));
        return;
      }
      std::vector<std::string> names;
      do {
        names.push_back(Name());
        if (Accept("<")) {  // Lua 5.4 attribs
          Name();
          Expect(">");
        }
      } while (!err_ && Accept(","));
      std::vector<Expr> values;
      if (Accept("=")) values = ExprList();
      Distribute(out, names, std::move(values), line);
      return;
    }
    if (Accept("function")) {
      std::string name = Name();
      while (!err_ && (Is(".") || Is(":"))) {
        const bool method = Is(":");
        ++t_;
        name += "." + Name();
        if (method) break;
      }
      out.push_back(FunctionStmt(std::move(name), line));
      return;
    }
    if (Accept("return")) {
      Stmt r;
      r.kind = Stmt::Kind::kReturn;
      r.line = line;
      r.value.kind = Expr::Kind::kUnion;
      if (!BlockEnd() && !Is(";")) r.value.parts = ExprList();
      Accept(";");
      out.push_back(std::move(r));
      return;
    }
    if (Accept("if")) {
      std::vector<Stmt> all;
      do {
        Expr cond = Expression();
        Expect("then");
        Stmt then = Group({}, line);
        Whitelisted(cond, then.body);
        for (auto& s : Block()) then.body.push_back(std::move(s));
        all.push_back(Effect(std::move(cond), line));
        all.push_back(std::move(then));
      } while (!err_ && Accept("elseif"));
      if (Accept("else")) {
        for (auto& s : Block()) all.push_back(std::move(s));
      }
      Expect("end");
      out.push_back(Group(std::move(all), line));
      return;
    }
    if (Accept("while")) {
      std::vector<Stmt> all;
      all.push_back(Effect(Expression(), line));
      Expect("do");
      for (auto& s : Block()) all.push_back(std::move(s));
      Expect("end");
      out.push_back(Group(std::move(all), line));
      return;
    }
    if (Accept("do")) {
      auto body = Block();
      Expect("end");
      out.push_back(Group(std::move(body), line));
      return;
    }
    if (Accept("repeat")) {
      auto body = Block();
      Expect("until");
      body.push_back(Effect(Expression(), line));
      out.push_back(Group(std::move(body), line));
      return;
    }
    if (Accept("for")) {
      std::vector<std::string> names;
      names.push_back(Name());
      std::vector<Stmt> all;
      if (Accept("=")) {
        std::vector<Expr> range = ExprList();
        Expr clean;
        clean.kind = Expr::Kind::kClean;
        clean.parts = std::move(range);
        all.push_back(Assign(names[0], std::move(clean), line));
      } else {
        while (!err_ && Accept(",")) names.push_back(Name());
        Expect("in");
        Expr any;
        any.kind = Expr::Kind::kUnion;
        any.parts = ExprList();
        for (const auto& n : names) all.push_back(Assign(n, any, line));
      }
      Expect("do");
      for (auto& s : Block()) all.push_back(std::move(s));
      Expect("end");
      out.push_back(Group(std::move(all), line));
      return;
    }
    // Expression statement or assignment.
    std::vector<Expr> targets;
    targets.push_back(Suffixed());
    if (Is("=") || Is(",")) {
      while (!err_ && Accept(",")) targets.push_back(Suffixed());
      Expect("=");
      std::vector<Expr> values = ExprList();
      std::vector<std::string> names;
      for (auto& tgt : targets) names.push_back(TargetName(tgt, out, line));
      Distribute(out, names, std::move(values), line);
      return;
    }
    out.push_back(Effect(std::move(targets[0]), line));
  }

  // A condition that whitelists a variable for the branch it guards: x:match("^[%w.]+$") or
  // string.match(x, "^%d+$") (an anchored pattern: the whole value is checked), also inside
  // `and`.
  static void Whitelisted(const Expr& cond, std::vector<Stmt>& into) {
    if (cond.kind == Expr::Kind::kUnion) {
      for (const auto& p : cond.parts) Whitelisted(p, into);
      return;
    }
    if (cond.kind != Expr::Kind::kCall || cond.parts.size() < 2) return;
    if (!(cond.text == "match" || cond.text.ends_with(".match"))) return;
    const Expr& subject = cond.parts[0];
    const Expr& pattern = cond.parts[1];
    if (subject.kind != Expr::Kind::kVar || pattern.kind != Expr::Kind::kLiteral) return;
    const std::string& pat = pattern.text;
    if (pat.size() < 3 || pat.front() != '^' || pat.back() != '$' ||
        pat.find(".*") != std::string::npos || pat.find(".+") != std::string::npos)
      return;
    Stmt san;
    san.kind = Stmt::Kind::kSanitize;
    san.name = subject.text;
    san.line = cond.line;
    into.push_back(std::move(san));
  }

  // The variable an assignment target names: "x", "a.b", "t[]" for computed keys; a call in the
  // target ("entry(...).sysauth") is kept as a statement of its own and named "callee()".
  static std::string TargetName(Expr& tgt, std::vector<Stmt>& out, std::uint32_t line) {
    if (tgt.kind == Expr::Kind::kVar) return tgt.text;
    if (tgt.kind == Expr::Kind::kIndex && tgt.parts.size() == 2) {
      Expr& base = tgt.parts[0];
      const std::string key =
          tgt.parts[1].kind == Expr::Kind::kLiteral ? tgt.parts[1].text : std::string("[]");
      if (base.kind == Expr::Kind::kVar) return base.text + "." + key;
      if (base.kind == Expr::Kind::kCall) {
        std::string callee = base.text + "()";
        out.push_back(Effect(std::move(base), line));
        return callee + "." + key;
      }
    }
    return "[]";
  }

  static void Distribute(std::vector<Stmt>& out, const std::vector<std::string>& names,
                         std::vector<Expr> values, std::uint32_t line) {
    for (std::size_t k = 0; k < names.size(); ++k) {
      Expr v;
      if (k < values.size()) {
        v = values[k];
      } else if (!values.empty()) {
        v = values.back();  // a multi-value call: every extra name gets its results
      } else {
        v.kind = Expr::Kind::kLiteral;
        v.text = "nil";
      }
      out.push_back(Assign(names[k], std::move(v), line));
    }
    for (std::size_t k = names.size(); k < values.size(); ++k)
      out.push_back(Effect(std::move(values[k]), line));
  }

  Stmt FunctionStmt(std::string name, std::uint32_t line) {
    Stmt f;
    f.kind = Stmt::Kind::kFunction;
    f.name = std::move(name);
    f.line = line;
    Expr body = FunctionBody(line);
    f.params = std::move(body.params);
    f.body = std::move(body.body);
    return f;
  }

  Expr FunctionBody(std::uint32_t line) {
    Expr f;
    f.kind = Expr::Kind::kFunction;
    f.line = line;
    Expect("(");
    while (!err_ && !Is(")")) {
      if (Accept("...")) {
        f.params.push_back("...");
      } else {
        f.params.push_back(Name());
      }
      if (!Accept(",")) break;
    }
    Expect(")");
    if (err_) return f;
    f.body = Block();
    Expect("end");
    return f;
  }

  std::vector<Expr> ExprList() {
    std::vector<Expr> out;
    out.push_back(Expression());
    while (!err_ && Accept(",")) out.push_back(Expression());
    return out;
  }

  // --- expressions ---
  static int Precedence(const LuaToken& t, bool& right) {
    right = false;
    if (t.kind != LuaToken::Kind::kOp && t.kind != LuaToken::Kind::kName) return -1;
    const std::string& o = t.text;
    if (o == "or") return 1;
    if (o == "and") return 2;
    if (o == "<" || o == ">" || o == "<=" || o == ">=" || o == "~=" || o == "==") return 3;
    if (o == "|") return 4;
    if (o == "~") return 5;
    if (o == "&") return 6;
    if (o == "<<" || o == ">>") return 7;
    if (o == "..") return right = true, 9;
    if (o == "+" || o == "-") return 10;
    if (o == "*" || o == "/" || o == "//" || o == "%") return 11;
    if (o == "^") return right = true, 14;
    return -1;
  }

  Expr Expression(int limit = 0) {
    Expr left;
    if (!Enter()) return left;
    const std::uint32_t line = Cur().line;
    if (Is("not") || Is("-") || Is("#") || Is("~")) {
      ++t_;
      left.kind = Expr::Kind::kClean;
      left.line = line;
      left.parts.push_back(Expression(12));
    } else {
      left = Simple();
    }
    for (;;) {
      bool right = false;
      const int p = Precedence(Cur(), right);
      if (err_ || p < 0 || p <= limit) break;
      const std::string op = toks_[t_++].text;
      Expr rhs = Expression(right ? p - 1 : p);
      Expr both;
      both.line = line;
      both.kind = op == ".."                    ? Expr::Kind::kConcat
                  : (op == "or" || op == "and") ? Expr::Kind::kUnion
                                                : Expr::Kind::kClean;
      if (op == "%" && left.kind != Expr::Kind::kClean) {
        // LuCI's string formatting operator ("ping %q" % addr): string.format.
        both.kind = Expr::Kind::kCall;
        both.text = "format";
      }
      both.parts.push_back(std::move(left));
      both.parts.push_back(std::move(rhs));
      left = std::move(both);
    }
    --depth_;
    return left;
  }

  Expr Simple() {
    Expr e;
    e.line = Cur().line;
    const LuaToken& t = Cur();
    if (t.kind == LuaToken::Kind::kString) {
      e.kind = Expr::Kind::kLiteral;
      e.text = t.text;
      ++t_;
      return e;
    }
    if (t.kind == LuaToken::Kind::kNumber) {
      e.kind = Expr::Kind::kClean;
      ++t_;
      return e;
    }
    if (Is("nil") || Is("true") || Is("false")) {
      e.kind = Expr::Kind::kLiteral;
      e.text = toks_[t_++].text;
      return e;
    }
    if (Accept("...")) {
      e.kind = Expr::Kind::kVar;
      e.text = "...";
      return e;
    }
    if (Accept("function")) return FunctionBody(e.line);
    if (Is("{")) return Table();
    return Suffixed();
  }

  Expr Table() {
    Expr e;
    e.kind = Expr::Kind::kUnion;
    e.line = Cur().line;
    Expect("{");
    while (!err_ && !Is("}")) {
      if (Accept("[")) {
        e.parts.push_back(Expression());
        Expect("]");
        Expect("=");
      } else if (Cur().kind == LuaToken::Kind::kName && Ahead(1).kind == LuaToken::Kind::kOp &&
                 Ahead(1).text == "=") {
        t_ += 2;
      }
      e.parts.push_back(Expression());
      if (!Accept(",") && !Accept(";")) break;
    }
    Expect("}");
    return e;
  }

  std::vector<Expr> Args() {
    std::vector<Expr> args;
    if (Cur().kind == LuaToken::Kind::kString) {
      Expr s;
      s.kind = Expr::Kind::kLiteral;
      s.text = Cur().text;
      s.line = Cur().line;
      ++t_;
      args.push_back(std::move(s));
    } else if (Is("{")) {
      args.push_back(Table());
    } else {
      Expect("(");
      if (!Is(")")) args = ExprList();
      Expect(")");
    }
    return args;
  }

  Expr Suffixed() {
    Expr e;
    if (!Enter()) return e;
    e.line = Cur().line;
    if (Accept("(")) {
      e = Expression();
      Expect(")");
    } else {
      e.kind = Expr::Kind::kVar;
      e.text = Name();
    }
    while (!err_) {
      const std::uint32_t line = Cur().line;
      if (Accept(".")) {
        std::string key = Name();
        if (e.kind == Expr::Kind::kVar) {
          e.text += "." + key;
        } else {
          Expr idx;
          idx.kind = Expr::Kind::kIndex;
          idx.line = line;
          Expr k;
          k.kind = Expr::Kind::kLiteral;
          k.text = std::move(key);
          idx.parts.push_back(std::move(e));
          idx.parts.push_back(std::move(k));
          e = std::move(idx);
        }
      } else if (Accept("[")) {
        Expr idx;
        idx.kind = Expr::Kind::kIndex;
        idx.line = line;
        idx.parts.push_back(std::move(e));
        idx.parts.push_back(Expression());
        Expect("]");
        e = std::move(idx);
      } else if (Accept(":")) {
        const std::string method = Name();
        Expr call;
        call.kind = Expr::Kind::kCall;
        call.line = line;
        call.text = e.kind == Expr::Kind::kVar ? e.text + "." + method : method;
        call.parts.push_back(std::move(e));
        for (auto& a : Args()) call.parts.push_back(std::move(a));
        e = std::move(call);
      } else if (Is("(") || Is("{") || Cur().kind == LuaToken::Kind::kString) {
        Expr call;
        call.kind = Expr::Kind::kCall;
        call.line = line;
        call.text = e.kind == Expr::Kind::kVar ? e.text : std::string();
        if (e.kind != Expr::Kind::kVar) call.parts.push_back(std::move(e));
        for (auto& a : Args()) call.parts.push_back(std::move(a));
        e = std::move(call);
      } else {
        break;
      }
    }
    --depth_;
    return e;
  }
};

}  // namespace

Result<Program> ParseLua(std::string_view text, std::string_view input) {
  if (text.size() > kMaxInput)
    return MakeError(Errc::kLimitExceeded,
                     fmt::format("{} bytes: above the parse limit", text.size()),
                     std::string(input));
  if (text.starts_with("\x1bLua"))
    return MakeError(Errc::kUnsupported, "precompiled Lua bytecode (luac): not analysed",
                     std::string(input), 0);
  LuaParser p(text, input);
  return p.Run();
}

}  // namespace iotcop::firmware::taint
