// Shell parser of firmware/taint: POSIX sh as CGI scripts use it (BusyBox ash, bash, haserl
// pages): simple commands with assignments, words with quoting and expansions ($x, ${x...},
// $(...), `...`, $((...))), redirections and here-documents, pipelines, && ||, if / while /
// until / for / case, { } and ( ) groups, and function definitions. A character-level recursive
// descent; the result is the IR of taint.h. Bounded by taint::kMaxInput, kMaxTokens and kMaxDepth.
#include <fmt/format.h>

#include <optional>

#include "firmware/taint/parser_base.h"
#include "firmware/taint/taint.h"

namespace iotcop::firmware::taint {
namespace {

bool ShNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool ShNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool ShMeta(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' ||
         c == ')' || c == '<' || c == '>' || c == '\r';
}

class ShellParser : ParseState {
 public:
  ShellParser(std::string_view text, std::string_view input, std::uint32_t first_line, int depth)
      : ParseState(text, input, depth), line_(first_line) {}

  Result<std::vector<Stmt>> Run() {
    auto body = List({}, 0, nullptr);
    if (err_) return *err_;
    if (i_ < s_.size()) {
      Fail(fmt::format("unexpected '{}'", s_[i_]));
      return *err_;
    }
    return body;
  }

 private:
  std::size_t i_ = 0;
  std::uint32_t line_ = 1;
  std::size_t tokens_ = 0;
  std::vector<std::pair<std::string, bool>> heredocs_;  // delimiter, strip tabs

  void Fail(std::string what, Errc code = Errc::kCorrupt) {
    FailAt(line_, i_, std::move(what), code);
  }
  bool At(std::string_view w) const { return s_.substr(i_).starts_with(w); }
  char Peek(std::size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  void Advance() {
    if (s_[i_] == '\n') ++line_;
    ++i_;
  }
  // Where a quote opens, for the error when the input ends before it closes.
  struct Opening {
    std::uint32_t line;
    std::size_t offset;
  };
  Opening Open() {
    const Opening o{line_, i_};
    Advance();
    return o;
  }
  bool Unclosed(const Opening& o, std::string_view what) {
    if (i_ < s_.size()) return false;
    FailAt(o.line, o.offset, fmt::format("unterminated {}", what));
    return true;
  }
  bool Count() {
    if (++tokens_ > kMaxTokens) Fail("more than the token limit", Errc::kLimitExceeded);
    return !err_;
  }

  // After a newline: the bodies of pending here-documents.
  void SkipHeredocs() {
    for (const auto& [delim, tabs] : heredocs_) {
      while (i_ < s_.size()) {
        std::size_t end = s_.find('\n', i_);
        if (end == std::string_view::npos) end = s_.size();
        std::string_view l = s_.substr(i_, end - i_);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        if (tabs) {
          while (!l.empty() && l.front() == '\t') l.remove_prefix(1);
        }
        i_ = end < s_.size() ? end + 1 : end;
        ++line_;
        if (l == delim) break;
      }
    }
    heredocs_.clear();
  }
  void Newline() {
    Advance();
    if (!heredocs_.empty()) SkipHeredocs();
  }
  void SkipBlanks() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
      } else if (c == '\\' && Peek(1) == '\n') {
        ++i_;
        Advance();
      } else if (c == '#') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else {
        break;
      }
    }
  }
  // Separators between commands: blanks, newlines, ';' (not ';;'), '&' (not '&&').
  void SkipSeparators() {
    for (;;) {
      SkipBlanks();
      if (i_ >= s_.size()) return;
      if (s_[i_] == '\n') {
        Newline();
      } else if (s_[i_] == ';' && Peek(1) != ';') {
        ++i_;
      } else if (s_[i_] == '&' && Peek(1) != '&') {
        ++i_;
      } else {
        return;
      }
    }
  }
  // The reserved word at the cursor (a plain word followed by a separator), or "".
  std::string_view PeekReserved() const {
    std::size_t j = i_;
    while (j < s_.size() && !ShMeta(s_[j]) && s_[j] != '"' && s_[j] != '\'' && s_[j] != '$' &&
           s_[j] != '`' && s_[j] != '\\')
      ++j;
    if (j < s_.size() && !ShMeta(s_[j])) return {};
    std::string_view w = s_.substr(i_, j - i_);
    static constexpr std::string_view kWords[] = {
        "if",  "then", "elif", "else", "fi", "while",    "until", "do", "done",
        "for", "case", "esac", "{",    "}",  "function", "in",    "!"};
    for (auto k : kWords) {
      if (w == k) return w;
    }
    return {};
  }
  void Consume(std::string_view w) { i_ += w.size(); }

  // Commands until one of `stops` starts a command, `close` is next, ";;" or the end.
  std::vector<Stmt> List(std::initializer_list<std::string_view> stops, char close,
                         std::string* stopped) {
    std::vector<Stmt> out;
    if (++depth_ > kMaxDepth) {
      Fail("nesting deeper than the limit", Errc::kLimitExceeded);
      return out;
    }
    for (;;) {
      SkipSeparators();
      if (err_ || i_ >= s_.size()) break;
      if (close && s_[i_] == close) break;
      if (At(";;")) break;
      const std::string_view r = PeekReserved();
      bool stop = false;
      for (auto w : stops) stop = stop || (!r.empty() && r == w);
      if (stop) {
        if (stopped) *stopped = std::string(r);
        Consume(r);
        break;
      }
      if (!r.empty() && (r == "then" || r == "elif" || r == "else" || r == "fi" || r == "do" ||
                         r == "done" || r == "esac" || r == "}" || r == "in")) {
        Fail(fmt::format("unexpected '{}'", r));
        break;
      }
      const std::size_t before = i_;
      AndOr(out);
      if (!err_ && i_ == before) {
        Fail(fmt::format("unexpected '{}'", s_[i_]));
        break;
      }
    }
    --depth_;
    return out;
  }

  void AndOr(std::vector<Stmt>& out) {
    for (;;) {
      Pipeline(out);
      if (err_) return;
      SkipBlanks();
      if (At("&&") || At("||")) {
        i_ += 2;
        while (SkipBlanks(), Peek() == '\n') Newline();
        continue;
      }
      return;
    }
  }

  void Pipeline(std::vector<Stmt>& out) {
    SkipBlanks();
    if (PeekReserved() == "!") Consume("!");
    std::vector<Stmt> stages;
    for (;;) {
      Command(stages);
      if (err_) return;
      SkipBlanks();
      if (Peek() == '|' && Peek(1) != '|') {
        ++i_;
        while (SkipBlanks(), Peek() == '\n') Newline();
        continue;
      }
      break;
    }
    if (stages.size() == 1) {
      out.push_back(std::move(stages[0]));
    } else if (!stages.empty()) {
      Stmt p;
      p.kind = Stmt::Kind::kPipeline;
      p.line = stages.front().line;
      p.body = std::move(stages);
      out.push_back(std::move(p));
    }
  }

  void Expect(std::string_view w) {
    SkipSeparators();
    if (PeekReserved() != w) {
      Fail(fmt::format("expected '{}'", w));
      return;
    }
    Consume(w);
  }
  void Append(std::vector<Stmt>& to, std::vector<Stmt>&& from) {
    for (auto& x : from) to.push_back(std::move(x));
  }

  void Command(std::vector<Stmt>& out) {
    SkipBlanks();
    const std::uint32_t line = line_;
    const std::string_view r = PeekReserved();
    if (r == "if") {
      Consume(r);
      std::vector<Stmt> all;
      std::string stop;
      for (;;) {
        Append(all, List({"then"}, 0, &stop));
        if (err_) return;
        if (stop != "then") return Fail("'if' without 'then'");
        stop.clear();
        Append(all, List({"elif", "else", "fi"}, 0, &stop));
        if (err_) return;
        if (stop == "elif") continue;
        if (stop == "else") {
          stop.clear();
          Append(all, List({"fi"}, 0, &stop));
          if (err_) return;
        }
        if (stop != "fi") return Fail("'if' without 'fi'");
        break;
      }
      out.push_back(Group(std::move(all), line));
    } else if (r == "while" || r == "until") {
      Consume(r);
      std::string stop;
      auto cond = List({"do"}, 0, &stop);
      if (err_) return;
      if (stop != "do") return Fail("loop without 'do'");
      stop.clear();
      Append(cond, List({"done"}, 0, &stop));
      if (err_) return;
      if (stop != "done") return Fail("loop without 'done'");
      out.push_back(Group(std::move(cond), line));
    } else if (r == "for") {
      Consume(r);
      SkipBlanks();
      std::string var;
      while (ShNameChar(Peek())) var += s_[i_++];
      if (var.empty()) return Fail("'for' without a name");
      Stmt assign;
      assign.kind = Stmt::Kind::kAssign;
      assign.name = var;
      assign.line = line;
      assign.value.kind = Expr::Kind::kUnion;
      SkipBlanks();
      if (PeekReserved() == "in") {
        Consume("in");
        for (;;) {
          SkipBlanks();
          const char c = Peek();
          if (c == '\0' || c == '\n' || c == ';') break;
          const std::size_t before = i_;
          assign.value.parts.push_back(Word());
          if (err_) return;
          if (i_ == before) return Fail(fmt::format("unexpected '{}' in a 'for' list", c));
        }
      } else {
        Expr at;
        at.kind = Expr::Kind::kVar;
        at.text = "@";
        assign.value.parts.push_back(at);
      }
      Expect("do");
      if (err_) return;
      std::string stop;
      std::vector<Stmt> body;
      body.push_back(std::move(assign));
      Append(body, List({"done"}, 0, &stop));
      if (err_) return;
      if (stop != "done") return Fail("'for' without 'done'");
      out.push_back(Group(std::move(body), line));
    } else if (r == "case") {
      Case(out, line);
    } else if (r == "{") {
      Consume(r);
      std::string stop;
      auto body = List({"}"}, 0, &stop);
      if (err_) return;
      if (stop != "}") return Fail("'{' without '}'");
      out.push_back(Group(std::move(body), line));
      Redirections();
    } else if (Peek() == '(') {
      ++i_;
      auto body = List({}, ')', nullptr);
      if (err_) return;
      if (Peek() != ')') return Fail("'(' without ')'");
      ++i_;
      out.push_back(Group(std::move(body), line));
      Redirections();
    } else if (r == "function") {
      Consume(r);
      SkipBlanks();
      std::string name;
      while (i_ < s_.size() && !ShMeta(s_[i_])) name += s_[i_++];
      SkipBlanks();
      if (At("()")) i_ += 2;
      Function(out, name, line);
    } else {
      Simple(out, line);
    }
  }

  void Function(std::vector<Stmt>& out, std::string name, std::uint32_t line) {
    SkipSeparators();
    std::vector<Stmt> body;
    Command(body);
    if (err_) return;
    Stmt f;
    f.kind = Stmt::Kind::kFunction;
    f.name = std::move(name);
    f.body = std::move(body);
    f.line = line;
    out.push_back(std::move(f));
  }

  void Case(std::vector<Stmt>& out, std::uint32_t line) {
    Consume("case");
    SkipBlanks();
    Expr subject = Word();
    if (err_) return;
    Expect("in");
    if (err_) return;
    // The subject's variable when the word is one expansion ("$x" or $x).
    std::string var;
    const Expr* only = &subject;
    if (only->kind == Expr::Kind::kConcat && only->parts.size() == 1) only = &only->parts[0];
    if (only->kind == Expr::Kind::kVar) var = only->text;
    std::vector<Stmt> arms;
    for (;;) {
      SkipSeparators();
      if (err_) return;
      if (i_ >= s_.size()) return Fail("'case' without 'esac'");
      if (PeekReserved() == "esac") {
        Consume("esac");
        break;
      }
      if (Peek() == '(') ++i_;
      std::string pattern;
      int paren = 0;
      bool quoted = false;
      while (i_ < s_.size()) {
        const char c = s_[i_];
        if (c == '\\' && i_ + 1 < s_.size()) {
          // A line continuation (`a |\<newline> b)`, common in OpenWrt's scripts) or an escaped
          // character.
          ++i_;
          if (s_[i_] != '\n') pattern += s_[i_];
          Advance();
          continue;
        }
        if (c == '\'' || c == '"') quoted = !quoted;
        if (!quoted && c == '(') ++paren;
        if (!quoted && c == ')' && paren-- == 0) break;
        if (c == '\n') return Fail("newline in a case pattern");
        pattern += c;
        ++i_;
      }
      if (i_ >= s_.size()) return Fail("case pattern without ')'");
      ++i_;
      if (!Count()) return;
      std::vector<Stmt> body;
      // A pattern without wildcards whitelists the value for the arm's body.
      if (!var.empty() && pattern.find_first_of("*?[") == std::string::npos) {
        Stmt san;
        san.kind = Stmt::Kind::kSanitize;
        san.name = var;
        san.line = line_;
        body.push_back(std::move(san));
      }
      std::string stopped;  // the last arm may end at `esac` without `;;`
      Append(body, List({"esac"}, 0, &stopped));
      if (err_) return;
      arms.push_back(Group(std::move(body), line_));
      if (stopped == "esac") break;
      if (At(";;")) {
        i_ += 2;
      } else if (PeekReserved() == "esac") {
        continue;
      } else if (i_ >= s_.size()) {
        return Fail("'case' without 'esac'");
      }
    }
    Stmt e;
    e.kind = Stmt::Kind::kExpr;
    e.value = std::move(subject);
    e.line = line;
    out.push_back(std::move(e));
    out.push_back(Group(std::move(arms), line));
  }

  // Redirections after a compound command.
  void Redirections() {
    for (;;) {
      SkipBlanks();
      if (!Redirect()) return;
    }
  }
  // One redirection at the cursor ([n]> >> < << <<- <& >& <>); false when there is none.
  bool Redirect() {
    std::size_t j = i_;
    while (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]))) ++j;
    if (j >= s_.size() || (s_[j] != '<' && s_[j] != '>')) return false;
    i_ = j;
    const bool heredoc = At("<<");
    if (heredoc) {
      i_ += 2;
      const bool tabs = Peek() == '-';
      if (tabs) ++i_;
      SkipBlanks();
      std::string delim;
      while (i_ < s_.size() && !ShMeta(s_[i_])) {
        if (s_[i_] != '\'' && s_[i_] != '"' && s_[i_] != '\\') delim += s_[i_];
        ++i_;
      }
      if (delim.empty()) Fail("here-document without a delimiter");
      heredocs_.emplace_back(std::move(delim), tabs);
      return true;
    }
    ++i_;
    if (Peek() == '>' || Peek() == '&' || Peek() == '|') ++i_;
    SkipBlanks();
    Word();
    return true;
  }

  // NAME= or NAME+= at the cursor: the name's length, or 0.
  std::size_t AssignmentName() const {
    if (!ShNameStart(Peek())) return 0;
    std::size_t j = i_;
    while (j < s_.size() && ShNameChar(s_[j])) ++j;
    if (j < s_.size() && s_[j] == '=') return j - i_;
    if (j + 1 < s_.size() && s_[j] == '+' && s_[j + 1] == '=') return j - i_;
    return 0;
  }

  void Simple(std::vector<Stmt>& out, std::uint32_t line) {
    Expr call;
    call.kind = Expr::Kind::kCall;
    call.line = line;
    std::vector<Stmt> assigns;
    bool declaring = false;  // local / export / readonly / declare
    for (;;) {
      SkipBlanks();
      if (err_ || i_ >= s_.size()) break;
      const char c = s_[i_];
      if (c == '\n' || c == ';' || c == '&' || c == '|' || c == ')') break;
      if (c == '(' && At("()") && call.parts.size() == 1 && !call.text.empty()) {
        i_ += 2;
        return Function(out, call.text, line);
      }
      if (c == '(') return Fail("unexpected '('");
      if (Redirect()) continue;
      if (err_) return;
      if (std::size_t n = AssignmentName(); n && (call.parts.empty() || declaring)) {
        Stmt a;
        a.kind = Stmt::Kind::kAssign;
        a.name = std::string(s_.substr(i_, n));
        a.line = line_;
        const bool append = s_[i_ + n] == '+';
        i_ += n + (append ? 2 : 1);
        Expr v = Word();
        if (append) {
          Expr cat;
          cat.kind = Expr::Kind::kConcat;
          Expr self;
          self.kind = Expr::Kind::kVar;
          self.text = a.name;
          cat.parts = {self, std::move(v)};
          v = std::move(cat);
        }
        a.value = std::move(v);
        assigns.push_back(std::move(a));
        if (!Count()) return;
        continue;
      }
      Expr w = Word();
      if (err_) return;
      if (call.parts.empty() && w.kind == Expr::Kind::kConcat && w.parts.size() == 1 &&
          w.parts[0].kind == Expr::Kind::kLiteral) {
        call.text = w.parts[0].text;
        declaring = call.text == "local" || call.text == "export" || call.text == "readonly" ||
                    call.text == "declare" || call.text == "typeset";
      }
      call.parts.push_back(std::move(w));
      if (!Count()) return;
    }
    Append(out, std::move(assigns));
    if (!call.parts.empty()) {
      Stmt st;
      st.kind = Stmt::Kind::kExpr;
      st.line = line;
      st.value = std::move(call);
      out.push_back(std::move(st));
    }
  }

  Expr Lit(std::string text) { return Literal(std::move(text), line_); }

  // One word: a concatenation of literal text and expansions.
  Expr Word() {
    Expr w;
    w.kind = Expr::Kind::kConcat;
    w.line = line_;
    std::string lit;
    auto flush = [&] {
      if (!lit.empty()) w.parts.push_back(Lit(std::move(lit)));
      lit.clear();
    };
    while (i_ < s_.size() && !err_) {
      const char c = s_[i_];
      if (ShMeta(c)) break;
      if (c == '\\') {
        ++i_;
        if (i_ < s_.size()) {
          if (s_[i_] != '\n') lit += s_[i_];
          Advance();
        }
      } else if (c == '\'') {
        const std::size_t end = s_.find('\'', i_ + 1);
        if (end == std::string_view::npos) {
          Fail("unterminated single quote");
          break;
        }
        lit += std::string(s_.substr(i_ + 1, end - i_ - 1));  // literal, no expansion
        while (i_ < end) Advance();
        ++i_;
      } else if (c == '"') {
        const Opening quote = Open();
        for (;;) {
          if (Unclosed(quote, "double quote")) break;
          const char d = s_[i_];
          if (d == '"') {
            ++i_;
            break;
          }
          if (d == '\\' && i_ + 1 < s_.size()) {
            ++i_;
            lit += s_[i_];
            Advance();
          } else if (d == '$' || d == '`') {
            Expr e = Expansion();
            if (err_) break;
            if (e.kind == Expr::Kind::kLiteral) {
              lit += e.text;
            } else {
              flush();
              e.quoted = true;
              w.parts.push_back(std::move(e));
            }
          } else {
            lit += d;
            Advance();
          }
        }
      } else if (c == '$' || c == '`') {
        Expr e = Expansion();
        if (e.kind == Expr::Kind::kLiteral) {
          lit += e.text;
        } else {
          flush();
          w.parts.push_back(std::move(e));
        }
      } else {
        lit += c;
        ++i_;
      }
    }
    flush();
    return w;
  }

  // A $ or ` expansion at the cursor.
  Expr Expansion() {
    Expr e;
    e.line = line_;
    if (s_[i_] == '`') {
      std::string inner;
      const Opening quote = Open();
      for (;;) {
        if (Unclosed(quote, "backquote")) return e;
        if (s_[i_] == '`') {
          ++i_;
          break;
        }
        if (s_[i_] == '\\' && i_ + 1 < s_.size() &&
            (s_[i_ + 1] == '`' || s_[i_ + 1] == '\\' || s_[i_ + 1] == '$')) {
          ++i_;
        }
        inner += s_[i_];
        Advance();
      }
      return Sub(inner, quote.line);
    }
    ++i_;  // '$'
    const char c = Peek();
    if (c == '(' && Peek(1) == '(') {
      // Arithmetic: a number whatever goes in.
      int depth = 0;
      while (i_ < s_.size()) {
        if (s_[i_] == '(') ++depth;
        if (s_[i_] == ')' && --depth == 0) {
          ++i_;
          break;
        }
        Advance();
      }
      if (depth != 0) Fail("unterminated $((");
      e.kind = Expr::Kind::kClean;
      return e;
    }
    if (c == '(') {
      ++i_;
      const std::uint32_t first = line_;
      if (++depth_ > kMaxDepth) {
        Fail("nesting deeper than the limit", Errc::kLimitExceeded);
        return e;
      }
      auto body = List({}, ')', nullptr);
      --depth_;
      if (err_) return e;
      if (Peek() != ')') {
        Fail("unterminated $(");
        return e;
      }
      ++i_;
      e.kind = Expr::Kind::kSubst;
      e.body = std::move(body);
      e.line = first;
      return e;
    }
    if (c == '{') {
      ++i_;
      const bool length = Peek() == '#';
      if (length) ++i_;
      std::string name;
      while (ShNameChar(Peek()) ||
             (name.empty() && std::string_view("@*?#$!-").find(Peek()) != std::string_view::npos &&
              Peek()))
        name += s_[i_++];
      // The operator part (${x:-default}, ${x#prefix}...): skipped, the value stays x's.
      int depth = 1;
      while (i_ < s_.size()) {
        if (s_[i_] == '{') ++depth;
        if (s_[i_] == '}' && --depth == 0) break;
        Advance();
      }
      if (i_ >= s_.size()) {
        Fail("unterminated ${");
        return e;
      }
      ++i_;
      if (length || name.empty()) {
        e.kind = Expr::Kind::kClean;
      } else {
        e.kind = Expr::Kind::kVar;
        e.text = name;
      }
      return e;
    }
    if (ShNameStart(c)) {
      std::string name;
      while (ShNameChar(Peek())) name += s_[i_++];
      e.kind = Expr::Kind::kVar;
      e.text = name;
      return e;
    }
    if (c != '\0' && std::string_view("0123456789@*").find(c) != std::string_view::npos) {
      e.kind = Expr::Kind::kVar;
      e.text = std::string(1, c);
      ++i_;
      return e;
    }
    if (c != '\0' && std::string_view("?#$!-").find(c) != std::string_view::npos) {
      ++i_;
      e.kind = Expr::Kind::kClean;
      return e;
    }
    e.kind = Expr::Kind::kLiteral;
    e.text = "$";
    return e;
  }

  // The commands of a backquoted substitution, parsed on their own.
  Expr Sub(const std::string& inner, std::uint32_t first) {
    Expr e;
    e.kind = Expr::Kind::kSubst;
    e.line = first;
    if (depth_ + 1 > kMaxDepth) {
      Fail("nesting deeper than the limit", Errc::kLimitExceeded);
      return e;
    }
    ShellParser sub(inner, input_, first, depth_ + 1);
    sub.tokens_ = tokens_;
    auto body = sub.Run();
    if (!body) {
      err_ = body.error();
      return e;
    }
    tokens_ = sub.tokens_;
    e.body = std::move(*body);
    return e;
  }
};

}  // namespace

// Template pages: the code of <% %> blocks (haserl) or <?php ?> blocks (PHP), the rest blanked
// with its newlines kept so that line numbers stay those of the file. `echo` is the word the
// output tag (<%= or <?=) becomes.
std::string CodeOfTemplate(std::string_view text, std::string_view open, std::string_view close,
                           std::string_view echo) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t o = text.find(open, i);
    const std::size_t stop = o == std::string_view::npos ? text.size() : o;
    for (; i < stop; ++i) out += text[i] == '\n' ? '\n' : ' ';
    if (o == std::string_view::npos) break;
    i = o + open.size();
    if (i < text.size() && text[i] == '=') {
      out += echo;
      out += ' ';
      ++i;
    } else if (open == "<?" && text.substr(i).starts_with("php")) {
      i += 3;
    }
    const std::size_t c = text.find(close, i);
    const std::size_t end = c == std::string_view::npos ? text.size() : c;
    out.append(text.substr(i, end - i));
    if (c == std::string_view::npos) break;
    out += "; ";
    i = c + close.size();
  }
  return out;
}

Result<Program> ParseShell(std::string_view text, std::string_view input) {
  if (text.size() > kMaxInput)
    return MakeError(Errc::kLimitExceeded,
                     fmt::format("{} bytes: above the parse limit", text.size()),
                     std::string(input));
  std::string code;
  const std::string_view first = text.substr(0, text.find('\n'));
  if (first.starts_with("#!") && first.find("haserl") != std::string_view::npos) {
    code = std::string(first.size(), ' ') +
           CodeOfTemplate(text.substr(first.size()), "<%", "%>", "echo");
    text = code;
  }
  ShellParser p(text, input, 1, 0);
  auto body = p.Run();
  if (!body) return body.error();
  Program prog;
  prog.lang = Lang::kShell;
  prog.body = std::move(*body);
  return prog;
}

}  // namespace iotcop::firmware::taint
