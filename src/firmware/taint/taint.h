// File: firmware/taint/taint.h
// Command injection in web handlers: a bounded parser per language (shell CGI scripts and haserl
// pages, Lua (LuCI controllers, Lua CGI), PHP) turns a script into one small IR (assignments,
// calls and commands with their argument expressions, string interpolation as concatenation,
// function definitions, returns); one taint engine follows request values (sources) through
// assignments, concatenation, interpolation and the parameters and returns of the file's own
// functions to the calls that run a shell (sinks), unless a sanitizer ends the taint.
// Hand-written recursive-descent parsers of the subset that matters (Debian bookworm packages
// libtree-sitter but no bash/lua/php grammar); see docs/web-handlers.md for what they cover.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace iotcop::firmware::taint {

enum class Lang { kShell, kLua, kPhp };
const char* LangName(Lang l);

// Bounds of one parse: the collector reads at most kMaxInput bytes of a file.
inline constexpr std::size_t kMaxInput = 1u << 20;
inline constexpr std::size_t kMaxTokens = 200000;
inline constexpr int kMaxDepth = 64;

struct Stmt;

struct Expr {
  enum class Kind {
    kLiteral,  // text: the literal's value
    kVar,      // text: the variable ("QUERY_STRING", "host", "_GET"; shell "1" for $1)
    kIndex,    // parts[0] the base, parts[1] the key ($_SERVER['QUERY_STRING'], t[k])
    kCall,     // text: the callee ("luci.sys.call", "system", "ping"), parts: the arguments
               // (shell: every word, the command name first; a method call: the receiver first)
    kConcat,   // parts: concatenated (.., ., interpolation, shell words), taint = any part
    kUnion,    // parts: either (a or b, a ?? b, tables and arrays), taint = any part
    kSubst,    // body: commands whose output is the value ($(...), `...`); PHP backticks too
    kClean,    // a value that cannot carry a command (numbers, arithmetic, comparisons)
    kFunction  // an anonymous function: body, params
  };
  Kind kind = Kind::kClean;
  std::string text;
  std::vector<Expr> parts;
  std::vector<Stmt> body;
  std::vector<std::string> params;
  bool quoted = false;  // shell: the expansion is inside double quotes (no word splitting)
  std::uint32_t line = 0;
};

struct Stmt {
  enum class Kind {
    kAssign,    // name = value
    kExpr,      // a call or command (value), or an expression evaluated for its effects
    kFunction,  // name(params) { body }
    kReturn,    // return value
    kBlock,     // body (if/while/for/case arms...): run in order
    kSanitize,  // name: from here on the variable holds a checked value (case whitelist, numeric
                // test)
    kPipeline   // body: the stages of a shell pipeline
  };
  Kind kind = Kind::kExpr;
  std::string name;
  std::vector<std::string> params;
  Expr value;
  std::vector<Stmt> body;
  std::uint32_t line = 0;
};

struct Program {
  Lang lang = Lang::kShell;
  std::vector<Stmt> body;
};

// Parsers: never throw, bounded by kMaxInput, kMaxTokens and kMaxDepth; an error names `input`,
// the line and the byte offset. Shell and PHP accept template pages (haserl <% %>, <?php ?>): the
// text outside the code blocks is ignored, line numbers are kept.
Result<Program> ParseShell(std::string_view text, std::string_view input);
Result<Program> ParseLua(std::string_view text, std::string_view input);
Result<Program> ParsePhp(std::string_view text, std::string_view input);
// The code of a template page's `open`..`close` blocks, everything else blanked (newlines kept);
// an output tag (`open` followed by '=') becomes `echo`.
std::string CodeOfTemplate(std::string_view text, std::string_view open, std::string_view close,
                           std::string_view echo);
Result<Program> Parse(Lang lang, std::string_view text, std::string_view input);

// One step from the source to the sink: "12: host=$(echo $QUERY_STRING | cut -d= -f2)".
struct Step {
  std::uint32_t line = 0;
  std::string code;
};

struct TaintFinding {
  std::uint32_t line = 0;   // of the sink
  std::string sink;         // "eval", "luci.sys.call", "system", "command word", "backticks"
  std::string source;       // "$QUERY_STRING", "luci.http.formvalue(\"host\")", "$_GET['ip']"
  std::string excerpt;      // the sink's line
  std::string function;     // the enclosing function of the sink ("" at top level)
  std::vector<Step> chain;  // source first, sink last
};

// Runs the taint engine over a parsed program; `text` is the script (for the lines of the chain).
std::vector<TaintFinding> FindInjections(const Program& p, std::string_view text);

}  // namespace iotcop::firmware::taint
