// File: firmware/taint/parser_base.h
// What the three parsers of firmware/taint share: the input's text and name, the first error
// (named by the input, its line and byte offset), the nesting depth, the IR node builders, and for
// the token-based parsers (Lua, PHP) the token cursor.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "firmware/taint/taint.h"

namespace iotcop::firmware::taint {

class ParseState {
 protected:
  ParseState(std::string_view text, std::string_view input, int depth = 0)
      : s_(text), input_(input), depth_(depth) {}

  std::string_view s_;
  std::string input_;
  int depth_ = 0;
  std::optional<Error> err_;

  // The first error is kept; an unterminated construct is named at the line it starts on.
  void FailAt(std::uint32_t line, std::size_t offset, std::string what,
              Errc code = Errc::kCorrupt) {
    if (!err_) err_ = MakeError(code, fmt::format("line {}: {}", line, what), input_, offset);
  }

  static Stmt Assign(std::string name, Expr value, std::uint32_t line) {
    Stmt a;
    a.kind = Stmt::Kind::kAssign;
    a.name = std::move(name);
    a.value = std::move(value);
    a.line = line;
    return a;
  }
  static Stmt Effect(Expr value, std::uint32_t line) {
    Stmt a;
    a.kind = Stmt::Kind::kExpr;
    a.value = std::move(value);
    a.line = line;
    return a;
  }
  static Stmt Group(std::vector<Stmt> body, std::uint32_t line) {
    Stmt b;
    b.kind = Stmt::Kind::kBlock;
    b.body = std::move(body);
    b.line = line;
    return b;
  }
  static Expr Literal(std::string text, std::uint32_t line) {
    Expr e;
    e.kind = Expr::Kind::kLiteral;
    e.text = std::move(text);
    e.line = line;
    return e;
  }
};

// A parser over a token vector: Token has `kind` (with Kind::kName, kOp and kEnd), `text`, `line`
// and `offset`; the lexer ends the vector with a kEnd token, so the cursor never runs past it.
template <class Token>
class TokenParser : public ParseState {
 protected:
  using ParseState::ParseState;

  std::vector<Token> toks_;
  std::size_t t_ = 0;

  void Fail(std::string what, Errc code = Errc::kCorrupt) {
    FailAt(Cur().line, Cur().offset, std::move(what), code);
  }
  void PushEnd(std::uint32_t line) {
    Token end;
    end.line = line;
    end.offset = s_.size();
    toks_.push_back(std::move(end));
  }
  const Token& Cur() const { return toks_[std::min(t_, toks_.size() - 1)]; }
  const Token& Ahead(std::size_t k) const { return toks_[std::min(t_ + k, toks_.size() - 1)]; }
  bool AtEnd() const { return Cur().kind == Token::Kind::kEnd; }
  bool Is(std::string_view text) const {
    return (Cur().kind == Token::Kind::kOp || Cur().kind == Token::Kind::kName) &&
           Cur().text == text;
  }
  bool Accept(std::string_view text) {
    if (!Is(text)) return false;
    ++t_;
    return true;
  }
  bool Enter() {
    if (++depth_ > kMaxDepth) Fail("nesting deeper than the limit", Errc::kLimitExceeded);
    return !err_;
  }
};

}  // namespace iotcop::firmware::taint
