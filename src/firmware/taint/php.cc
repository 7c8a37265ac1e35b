// PHP parser of firmware/taint: the code of <?php ?> and <?= ?> blocks as a tokenizer (variables,
// names, '...' and "..." strings with $var / {$var} / $var['k'] interpolation, heredocs, backticks,
// comments) and a tolerant recursive-descent parser: statements (expression statements, echo,
// return, function definitions also inside classes, if / elseif / else / while / for / foreach /
// switch bodies as blocks) and expressions by precedence (assignment and .=, ternary, ??, the
// binary operators, casts, calls, method and static calls, array access, array literals, new).
// A construct it does not model is skipped to the next ';' or closing brace, never guessed at.
#include <fmt/format.h>

#include <optional>

#include "firmware/taint/parser_base.h"
#include "firmware/taint/taint.h"

namespace iotcop::firmware::taint {
namespace {

struct PhpToken {
  enum class Kind {
    kVar,
    kName,
    kString,
    kInterp,
    kBacktick,
    kNumber,
    kOp,
    kEnd
  } kind = Kind::kEnd;
  std::string text;
  Expr interp;  // kInterp / kBacktick: the string as a concatenation
  std::uint32_t line = 0;
  std::size_t offset = 0;
};

bool PhpNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '\\' ||
         static_cast<unsigned char>(c) >= 0x80;
}

class PhpParser : TokenParser<PhpToken> {
 public:
  PhpParser(std::string_view code, std::string_view input) : TokenParser(code, input) {}

  Result<Program> Run() {
    Lex();
    Program p;
    p.lang = Lang::kPhp;
    if (!err_) p.body = Statements(false);
    if (err_) return *err_;
    return p;
  }

 private:
  // The parts of an interpolated string body (between its quotes).
  Expr Interpolate(std::string_view body, std::uint32_t line) {
    Expr cat;
    cat.kind = Expr::Kind::kConcat;
    cat.line = line;
    std::string lit;
    auto flush = [&] {
      if (!lit.empty()) cat.parts.push_back(Literal(std::move(lit), line));
      lit.clear();
    };
    std::size_t i = 0;
    while (i < body.size()) {
      const char c = body[i];
      if (c == '\\' && i + 1 < body.size()) {
        lit += body[i + 1];
        i += 2;
        continue;
      }
      const bool brace = c == '{' && i + 1 < body.size() && body[i + 1] == '$';
      if ((c == '$' && i + 1 < body.size() &&
           (std::isalpha(static_cast<unsigned char>(body[i + 1])) || body[i + 1] == '_')) ||
          brace) {
        flush();
        i += brace ? 2 : 1;
        std::string name;
        while (i < body.size() && PhpNameChar(body[i]) && body[i] != '\\') name += body[i++];
        Expr v;
        v.kind = Expr::Kind::kVar;
        v.text = name;
        v.line = line;
        if (i < body.size() && body[i] == '[') {
          const std::size_t end = body.find(']', i);
          if (end != std::string_view::npos) {
            std::string key(body.substr(i + 1, end - i - 1));
            if (key.size() >= 2 && (key.front() == '\'' || key.front() == '"')) {
              key = key.substr(1, key.size() - 2);
            }
            Expr idx;
            idx.kind = Expr::Kind::kIndex;
            idx.line = line;
            idx.parts.push_back(std::move(v));
            idx.parts.push_back(Literal(std::move(key), line));
            v = std::move(idx);
            i = end + 1;
          }
        }
        if (brace) {
          const std::size_t end = body.find('}', i);
          i = end == std::string_view::npos ? body.size() : end + 1;
        }
        cat.parts.push_back(std::move(v));
        continue;
      }
      lit += c;
      ++i;
    }
    flush();
    return cat;
  }

  void Lex() {
    std::size_t i = 0;
    std::uint32_t line = 1;
    auto count_lines = [&](std::size_t from, std::size_t to) {
      for (std::size_t k = from; k < to && k < s_.size(); ++k) line += s_[k] == '\n';
    };
    while (i < s_.size()) {
      const char c = s_[i];
      if (c == '\n') {
        ++line, ++i;
        continue;
      }
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      if (c == '#' || (c == '/' && i + 1 < s_.size() && s_[i + 1] == '/')) {
        while (i < s_.size() && s_[i] != '\n') ++i;
        continue;
      }
      if (c == '/' && i + 1 < s_.size() && s_[i + 1] == '*') {
        const std::size_t end = s_.find("*/", i + 2);
        if (end == std::string_view::npos) return FailAt(line, i, "unterminated comment");
        count_lines(i, end);
        i = end + 2;
        continue;
      }
      if (toks_.size() >= kMaxTokens)
        return FailAt(line, i, "more than the token limit", Errc::kLimitExceeded);
      PhpToken tok;
      tok.line = line;
      tok.offset = i;
      if (c == '$' && i + 1 < s_.size() &&
          (std::isalpha(static_cast<unsigned char>(s_[i + 1])) || s_[i + 1] == '_')) {
        std::size_t j = i + 1;
        while (j < s_.size() && PhpNameChar(s_[j]) && s_[j] != '\\') ++j;
        tok.kind = PhpToken::Kind::kVar;
        tok.text = std::string(s_.substr(i + 1, j - i - 1));
        i = j;
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '\\') {
        std::size_t j = i;
        while (j < s_.size() && PhpNameChar(s_[j])) ++j;
        tok.kind = PhpToken::Kind::kName;
        tok.text = std::string(s_.substr(i, j - i));
        for (char& ch : tok.text)
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        std::size_t j = i;
        while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '.'))
          ++j;
        tok.kind = PhpToken::Kind::kNumber;
        i = j;
      } else if (c == '\'' || c == '"' || c == '`') {
        std::size_t j = i + 1;
        while (j < s_.size() && s_[j] != c) j += s_[j] == '\\' ? 2 : 1;
        if (j >= s_.size()) return FailAt(line, i, "unterminated string");
        const std::string_view body = s_.substr(i + 1, j - i - 1);
        if (c == '\'') {
          tok.kind = PhpToken::Kind::kString;
          for (std::size_t k = 0; k < body.size(); ++k) {
            if (body[k] == '\\' && k + 1 < body.size() &&
                (body[k + 1] == '\'' || body[k + 1] == '\\'))
              ++k;
            tok.text += body[k];
          }
        } else {
          tok.kind = c == '`' ? PhpToken::Kind::kBacktick : PhpToken::Kind::kInterp;
          tok.interp = Interpolate(body, line);
        }
        count_lines(i, j);
        i = j + 1;
      } else if (s_.substr(i).starts_with("<<<")) {
        std::size_t j = i + 3;
        while (j < s_.size() && (s_[j] == ' ' || s_[j] == '"' || s_[j] == '\'')) ++j;
        const bool nowdoc = s_[i + 3] == '\'' || (j > 0 && s_[j - 1] == '\'');
        std::size_t k = j;
        while (k < s_.size() && PhpNameChar(s_[k])) ++k;
        const std::string label(s_.substr(j, k - j));
        const std::size_t body_start = s_.find('\n', k);
        if (label.empty() || body_start == std::string_view::npos)
          return FailAt(line, i, "heredoc without a label");
        std::size_t end = body_start;
        std::size_t close = std::string_view::npos;
        while (end < s_.size()) {
          std::size_t ls = end + 1;
          while (ls < s_.size() && (s_[ls] == ' ' || s_[ls] == '\t')) ++ls;
          if (s_.substr(ls).starts_with(label) &&
              (ls + label.size() >= s_.size() || !PhpNameChar(s_[ls + label.size()]))) {
            close = ls;
            break;
          }
          end = s_.find('\n', end + 1);
          if (end == std::string_view::npos) break;
        }
        if (close == std::string_view::npos) return FailAt(line, i, "unterminated heredoc");
        const std::string_view body = s_.substr(body_start + 1, end - body_start - 1 + 0);
        if (nowdoc) {
          tok.kind = PhpToken::Kind::kString;
          tok.text = std::string(body);
        } else {
          tok.kind = PhpToken::Kind::kInterp;
          tok.interp = Interpolate(body, line);
        }
        count_lines(i, close);
        i = close + label.size();
      } else {
        static constexpr std::string_view kOps[] = {
            "<=>", "===", "!==", "**=", "...", "?\?=", "<<=", ">>=", "==", "!=", "<>",
            "<=",  ">=",  "&&",  "||",  "??",  "->",   "=>",  "::",  "++", "--", ".=",
            "+=",  "-=",  "*=",  "/=",  "%=",  "&=",   "|=",  "^=",  "<<", ">>", "**"};
        tok.kind = PhpToken::Kind::kOp;
        for (auto op : kOps) {
          if (s_.substr(i).starts_with(op)) {
            tok.text = std::string(op);
            break;
          }
        }
        if (tok.text.empty()) tok.text = std::string(1, c);
        i += tok.text.size();
      }
      toks_.push_back(std::move(tok));
    }
    PushEnd(line);
  }

  // Skips a balanced ( ) [ ] { } group starting at the cursor.
  void SkipGroup() {
    int depth = 0;
    while (!AtEnd()) {
      if (Is("(") || Is("[") || Is("{")) ++depth;
      if (Is(")") || Is("]") || Is("}")) --depth;
      ++t_;
      if (depth <= 0) return;
    }
  }

  std::vector<Stmt> Statements(bool braced) {
    std::vector<Stmt> out;
    if (!Enter()) return out;
    while (!err_ && !AtEnd()) {
      if (braced && Is("}")) break;
      const std::size_t before = t_;
      Statement(out);
      if (!err_ && t_ == before) ++t_;  // a token no rule takes: skipped
    }
    --depth_;
    return out;
  }

  // The statements of a block whose '{' was taken, up to its '}', as one block statement.
  void BracedBlock(std::uint32_t line, std::vector<Stmt>& out) {
    std::vector<Stmt> body = Statements(true);
    Accept("}");
    out.push_back(Group(std::move(body), line));
  }

  // A body: { statements } or one statement (or "endif"-style: up to the end keyword).
  void Body(std::vector<Stmt>& out) {
    if (Accept("{")) {
      for (auto& s : Statements(true)) out.push_back(std::move(s));
      Accept("}");
    } else if (Accept(":")) {
      while (!err_ && !AtEnd() && !Is("endif") && !Is("endwhile") && !Is("endfor") &&
             !Is("endforeach") && !Is("endswitch") && !Is("else") && !Is("elseif")) {
        const std::size_t before = t_;
        Statement(out);
        if (t_ == before) ++t_;
      }
    } else {
      Statement(out);
    }
  }

  void Statement(std::vector<Stmt>& out) {
    const std::uint32_t line = Cur().line;
    if (Accept(";")) return;
    if (Accept("{")) {
      BracedBlock(line, out);
      return;
    }
    if (Accept("function")) {
      Accept("&");
      Stmt f;
      f.kind = Stmt::Kind::kFunction;
      f.line = line;
      if (Cur().kind == PhpToken::Kind::kName) f.name = toks_[t_++].text;
      Params(f.params);
      if (Accept(":")) {  // return type
        while (!AtEnd() && !Is("{") && !Is(";")) ++t_;
      }
      if (Accept("{")) {
        f.body = Statements(true);
        Accept("}");
      }
      out.push_back(std::move(f));
      return;
    }
    if (Is("class") || Is("interface") || Is("trait") || Is("abstract") || Is("final")) {
      while (!AtEnd() && !Is("{")) ++t_;
      if (Accept("{")) {
        BracedBlock(line, out);
      }
      return;
    }
    if (Is("namespace")) {
      // `namespace A\B;` or `namespace A\B { ... }`: the name is skipped, a block is parsed.
      ++t_;
      while (!err_ && !AtEnd() && !Is(";") && !Is("{")) ++t_;
      if (Accept("{")) {
        BracedBlock(line, out);
      } else {
        Accept(";");
      }
      return;
    }
    const bool scope_call = Ahead(1).text == "::";
    if (!scope_call && (Is("public") || Is("private") || Is("protected") || Is("static") ||
                        Is("var") || Is("const") || Is("use") || Is("global"))) {
      if (Is("static") && Ahead(1).kind == PhpToken::Kind::kVar) {
        ++t_;
      } else {
        ++t_;
        return;  // modifiers: the declaration that follows is parsed next
      }
    }
    if (Accept("return")) {
      Stmt r;
      r.kind = Stmt::Kind::kReturn;
      r.line = line;
      if (!Is(";")) r.value = Expression();
      Accept(";");
      out.push_back(std::move(r));
      return;
    }
    if (Accept("echo") || Accept("print")) {
      do {
        out.push_back(Effect(Expression(), line));
      } while (!err_ && Accept(","));
      Accept(";");
      return;
    }
    if (Is("if") || Is("elseif") || Is("while") || Is("switch") || Is("for") || Is("foreach")) {
      const std::string kw = toks_[t_++].text;
      Stmt b;
      b.kind = Stmt::Kind::kBlock;
      b.line = line;
      if (Accept("(")) {
        if (kw == "foreach") {
          Expr subject = Expression();
          std::vector<std::string> vars;
          if (Accept("as")) {
            while (!err_ && !AtEnd() && !Is(")")) {
              if (Cur().kind == PhpToken::Kind::kVar) vars.push_back(Cur().text);
              ++t_;
            }
          }
          for (const auto& v : vars) {
            Stmt a;
            a.kind = Stmt::Kind::kAssign;
            a.name = v;
            a.value = subject;
            a.line = line;
            b.body.push_back(std::move(a));
          }
        } else {
          while (!err_ && !AtEnd() && !Is(")")) {
            if (Accept(";")) continue;  // an empty clause: for (;;)
            b.body.push_back(Effect(Expression(), line));
            if (!Accept(";") && !Accept(",")) break;
          }
        }
        Accept(")");
      }
      if (kw == "switch") {
        if (Accept("{")) {
          while (!err_ && !AtEnd() && !Is("}")) {
            if (Accept("case")) {
              b.body.push_back(Effect(Expression(), line));
              if (!Accept(":")) Accept(";");
            } else if (Accept("default")) {
              if (!Accept(":")) Accept(";");
            } else {
              const std::size_t before = t_;
              Statement(b.body);
              if (t_ == before) ++t_;
            }
          }
          Accept("}");
        }
      } else {
        Body(b.body);
      }
      while (!err_ && (Is("elseif") || Is("else"))) {
        if (Accept("else")) {
          if (Is("if")) {
            Statement(b.body);
          } else {
            Body(b.body);
          }
        } else {
          Statement(b.body);
        }
      }
      Accept("endif") || Accept("endwhile") || Accept("endfor") || Accept("endforeach") ||
          Accept("endswitch");
      Accept(";");
      out.push_back(std::move(b));
      return;
    }
    if (Accept("do")) {
      Stmt b;
      b.kind = Stmt::Kind::kBlock;
      b.line = line;
      Body(b.body);
      if (Accept("while") && Accept("(")) {
        b.body.push_back(Effect(Expression(), line));
        Accept(")");
      }
      Accept(";");
      out.push_back(std::move(b));
      return;
    }
    if (Is("try") || Is("finally")) {
      ++t_;
      Body(out);
      return;
    }
    if (Accept("catch")) {
      if (Is("(")) SkipGroup();
      Body(out);
      return;
    }
    // Expression statement (assignments are expressions).
    Expr e = Expression();
    if (err_) return;
    Lower(e, out, line);
    if (!Accept(";") && !Is("}") && !AtEnd()) {
      // Unmodelled syntax: skip to the end of the statement.
      while (!AtEnd() && !Is(";") && !Is("}")) {
        if (Is("(") || Is("[") || Is("{")) {
          SkipGroup();
        } else {
          ++t_;
        }
      }
      Accept(";");
    }
  }

  void Params(std::vector<std::string>& params) {
    if (!Accept("(")) return;
    int depth = 1;
    bool expecting = true;
    while (!AtEnd() && depth > 0) {
      if (Is("(") || Is("[")) ++depth;
      if (Is(")") || Is("]")) --depth;
      if (depth == 1 && Is(",")) expecting = true;
      if (depth == 1 && expecting && Cur().kind == PhpToken::Kind::kVar) {
        params.push_back(Cur().text);
        expecting = false;
      }
      ++t_;
    }
  }

  // Assignments inside an expression become statements of their own, in evaluation order.
  void Lower(Expr& e, std::vector<Stmt>& out, std::uint32_t line) {
    Stmt s;
    s.line = line;
    if (e.kind == Expr::Kind::kFunction && e.text == "=") {
      s.kind = Stmt::Kind::kAssign;
      s.name = std::move(e.params[0]);
      s.value = std::move(e.parts[0]);
    } else {
      s.kind = Stmt::Kind::kExpr;
      s.value = std::move(e);
    }
    out.push_back(std::move(s));
  }

  // --- expressions ---
  static int Precedence(const PhpToken& t) {
    if (t.kind != PhpToken::Kind::kOp && t.kind != PhpToken::Kind::kName) return -1;
    const std::string& o = t.text;
    if (o == "or" || o == "xor" || o == "and") return 1;
    if (o == "??") return 3;
    if (o == "||" || o == "&&") return 4;
    if (o == "|" || o == "^" || o == "&") return 5;
    if (o == "==" || o == "!=" || o == "===" || o == "!==" || o == "<>" || o == "<=>" || o == "<" ||
        o == ">" || o == "<=" || o == ">=")
      return 6;
    if (o == "<<" || o == ">>") return 7;
    if (o == "+" || o == "-" || o == ".") return 8;
    if (o == "*" || o == "/" || o == "%") return 9;
    if (o == "instanceof") return 10;
    if (o == "**") return 11;
    return -1;
  }

  // The name an assignment target writes: "x", "x[]" or "x->y".
  static std::string TargetOf(const Expr& e) {
    if (e.kind == Expr::Kind::kVar) return e.text;
    if (e.kind == Expr::Kind::kIndex && !e.parts.empty()) return TargetOf(e.parts[0]);
    return {};
  }

  Expr Expression(int limit = 0) {
    Expr left;
    if (!Enter()) return left;
    const std::uint32_t line = Cur().line;
    left = Unary();
    for (;;) {
      if (err_) break;
      if (limit == 0 && (Is("=") || Is(".=") || Is("?\?=") || Is("+=") || Is("-=") || Is("*=") ||
                         Is("/=") || Is("|=") || Is("&="))) {
        const std::string op = toks_[t_++].text;
        Accept("&");
        Expr rhs = Expression();
        std::string target = TargetOf(left);
        if (left.kind == Expr::Kind::kUnion) {  // list($a, $b) = ... / [$a, $b] = ...
          target.clear();
          for (const auto& p : left.parts) target = TargetOf(p).empty() ? target : TargetOf(p);
        }
        if (op == ".=" || op == "?\?=") {
          Expr cat;
          cat.kind = Expr::Kind::kConcat;
          cat.parts.push_back(std::move(left));
          cat.parts.push_back(std::move(rhs));
          rhs = std::move(cat);
        } else if (op != "=") {
          Expr clean;
          clean.kind = Expr::Kind::kClean;
          clean.parts.push_back(std::move(rhs));
          rhs = std::move(clean);
        }
        Expr assign;  // lowered to a Stmt by the caller; nested ones stay values
        assign.kind = Expr::Kind::kFunction;
        assign.text = "=";
        assign.params.push_back(target.empty() ? std::string("[]") : target);
        assign.line = line;
        assign.parts.push_back(std::move(rhs));
        left = std::move(assign);
        break;
      }
      if (Is("?")) {
        if (limit > 2) break;
        ++t_;
        Expr u;
        u.kind = Expr::Kind::kUnion;
        u.line = line;
        Expr cond = std::move(left);
        if (!Is(":"))
          u.parts.push_back(Expression(2));
        else
          u.parts.push_back(cond);
        if (Accept(":")) u.parts.push_back(Expression(2));
        Expr c;
        c.kind = Expr::Kind::kClean;
        c.parts.push_back(std::move(cond));
        u.parts.push_back(std::move(c));
        left = std::move(u);
        continue;
      }
      const int p = Precedence(Cur());
      if (p < 0 || p <= limit) break;
      const std::string op = toks_[t_++].text;
      Expr rhs = Expression(p);
      Expr both;
      both.line = line;
      both.kind = op == "."    ? Expr::Kind::kConcat
                  : op == "??" ? Expr::Kind::kUnion
                               : Expr::Kind::kClean;
      both.parts.push_back(std::move(left));
      both.parts.push_back(std::move(rhs));
      left = std::move(both);
    }
    --depth_;
    return left;
  }

  Expr Unary() {
    const std::uint32_t line = Cur().line;
    if (Is("!") || Is("-") || Is("+") || Is("~") || Is("++") || Is("--")) {
      ++t_;
      Expr c;
      c.kind = Expr::Kind::kClean;
      c.line = line;
      c.parts.push_back(Unary());
      return c;
    }
    if (Accept("@") || Accept("&")) return Unary();
    if (Is("(")) {
      // A cast: (int) (integer) (float) (bool) (string) (array) (object)
      const PhpToken& n = Ahead(1);
      const PhpToken& close = Ahead(2);
      if (n.kind == PhpToken::Kind::kName && close.kind == PhpToken::Kind::kOp &&
          close.text == ")") {
        static constexpr std::string_view kNumeric[] = {"int",    "integer", "float",
                                                        "double", "bool",    "boolean"};
        bool numeric = false;
        for (auto k : kNumeric) numeric = numeric || n.text == k;
        if (numeric || n.text == "string" || n.text == "array" || n.text == "object") {
          t_ += 3;
          Expr inner = Unary();
          if (!numeric) return inner;
          Expr c;
          c.kind = Expr::Kind::kClean;
          c.line = line;
          c.parts.push_back(std::move(inner));
          return c;
        }
      }
    }
    if (Accept("new")) {
      Expr call;
      call.kind = Expr::Kind::kCall;
      call.line = line;
      if (Cur().kind == PhpToken::Kind::kName) call.text = "new " + toks_[t_++].text;
      if (Is("(")) Arguments(call.parts);
      return Postfix(std::move(call));
    }
    return Postfix(Primary());
  }

  void Arguments(std::vector<Expr>& into) {
    Accept("(");
    while (!err_ && !AtEnd() && !Is(")")) {
      Accept("...");
      if (Cur().kind == PhpToken::Kind::kName && Ahead(1).text == ":" &&
          Ahead(1).kind == PhpToken::Kind::kOp)
        t_ += 2;  // named argument
      into.push_back(Expression());
      if (Accept("=>")) into.push_back(Expression());  // array(key => value)
      if (!Accept(",")) break;
    }
    if (!Accept(")")) Fail("expected ')'");
  }

  Expr Primary() {
    Expr e;
    e.line = Cur().line;
    const PhpToken& t = Cur();
    switch (t.kind) {
      case PhpToken::Kind::kVar:
        e.kind = Expr::Kind::kVar;
        e.text = t.text;
        ++t_;
        return e;
      case PhpToken::Kind::kString:
        e.kind = Expr::Kind::kLiteral;
        e.text = t.text;
        ++t_;
        return e;
      case PhpToken::Kind::kInterp:
        e = t.interp;
        ++t_;
        return e;
      case PhpToken::Kind::kBacktick: {
        e.kind = Expr::Kind::kCall;
        e.text = "`backticks`";
        e.parts.push_back(t.interp);
        ++t_;
        return e;
      }
      case PhpToken::Kind::kNumber:
        e.kind = Expr::Kind::kClean;
        ++t_;
        return e;
      case PhpToken::Kind::kName:
        if (t.text == "function" || t.text == "fn") {
          ++t_;
          e.kind = Expr::Kind::kFunction;
          Params(e.params);
          if (Accept("use")) SkipGroup();
          if (Accept(":")) {
            while (!AtEnd() && !Is("{") && !Is("=>")) ++t_;
          }
          if (Accept("=>")) {
            Stmt r;
            r.kind = Stmt::Kind::kReturn;
            r.line = e.line;
            r.value = Expression();
            e.body.push_back(std::move(r));
          } else if (Accept("{")) {
            e.body = Statements(true);
            Accept("}");
          }
          return e;
        }
        if (t.text == "array" || t.text == "list") {
          ++t_;
          e.kind = Expr::Kind::kUnion;
          if (Is("(")) Arguments(e.parts);
          return e;
        }
        if (t.text == "isset" || t.text == "empty") {
          ++t_;
          e.kind = Expr::Kind::kClean;
          if (Is("(")) Arguments(e.parts);
          return e;
        }
        e.kind = Expr::Kind::kLiteral;  // a constant or a function name (called by Postfix)
        e.text = t.text;
        ++t_;
        return e;
      case PhpToken::Kind::kOp:
        if (t.text == "(") {
          ++t_;
          e = Expression();
          if (!Accept(")")) Fail("expected ')'");
          return e;
        }
        if (t.text == "[") {
          ++t_;
          e.kind = Expr::Kind::kUnion;
          while (!err_ && !AtEnd() && !Is("]")) {
            e.parts.push_back(Expression());
            if (Accept("=>")) e.parts.push_back(Expression());
            if (!Accept(",")) break;
          }
          if (!Accept("]")) Fail("expected ']'");
          return e;
        }
        break;
      case PhpToken::Kind::kEnd:
        break;
    }
    Fail(fmt::format("unexpected '{}'", t.text));
    return e;
  }

  Expr Postfix(Expr e) {
    for (;;) {
      if (err_) return e;
      const std::uint32_t line = Cur().line;
      if (Is("(")) {
        Expr call;
        call.kind = Expr::Kind::kCall;
        call.line = line;
        if (e.kind == Expr::Kind::kLiteral) {
          call.text = e.text;
          if (call.text.starts_with("\\")) call.text.erase(0, 1);
        } else {
          call.parts.push_back(std::move(e));
        }
        Arguments(call.parts);
        e = std::move(call);
      } else if (Accept("[") || Accept("{")) {
        Expr idx;
        idx.kind = Expr::Kind::kIndex;
        idx.line = line;
        idx.parts.push_back(std::move(e));
        if (!Is("]")) {
          idx.parts.push_back(Expression());
        } else {
          idx.parts.push_back(Literal("", line));
        }
        if (!Accept("]")) Accept("}");
        e = std::move(idx);
      } else if (Accept("->") || Accept("?->") || Accept("::")) {
        std::string member;
        if (Cur().kind == PhpToken::Kind::kName || Cur().kind == PhpToken::Kind::kVar)
          member = toks_[t_++].text;
        if (Is("(")) {
          Expr call;
          call.kind = Expr::Kind::kCall;
          call.line = line;
          call.text = member;
          // A static call (`Tool::run`, `self::`, `static::`) or one on `$this` runs one of the
          // file's own methods with the arguments as its parameters: no receiver argument.
          if (e.kind != Expr::Kind::kLiteral && !(e.kind == Expr::Kind::kVar && e.text == "this"))
            call.parts.push_back(std::move(e));
          Arguments(call.parts);
          e = std::move(call);
        } else {
          const std::string base = e.kind == Expr::Kind::kVar ? e.text : std::string();
          Expr v;
          v.kind = Expr::Kind::kVar;
          v.line = line;
          v.text = base.empty() ? "->" + member : base + "->" + member;
          e = std::move(v);
        }
      } else if (Is("++") || Is("--")) {
        ++t_;
        Expr c;
        c.kind = Expr::Kind::kClean;
        c.parts.push_back(std::move(e));
        e = std::move(c);
      } else {
        return e;
      }
    }
  }
};

}  // namespace

Result<Program> ParsePhp(std::string_view text, std::string_view input) {
  if (text.size() > kMaxInput)
    return MakeError(Errc::kLimitExceeded,
                     fmt::format("{} bytes: above the parse limit", text.size()),
                     std::string(input));
  const std::string code = CodeOfTemplate(text, "<?", "?>", "echo");
  PhpParser p(code, input);
  return p.Run();
}

}  // namespace iotcop::firmware::taint
