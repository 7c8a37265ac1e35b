#include "firmware/text.h"
#include "core/strings.h"

#include <algorithm>

namespace iotcop::firmware {

std::string_view Basename(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view Dirname(std::string_view path) {
  const auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string_view ShellCode(std::string_view line) {
  std::string_view t = Trim(line);
  if (t.empty() || t.front() == '#') return {};
  char quote = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (quote) {
      if (c == '\\' && quote == '"' && i + 1 < t.size()) {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\\' && i + 1 < t.size()) {
      ++i;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '#' && (t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == ';')) {
      return Trim(t.substr(0, i));
    }
  }
  return t;
}

namespace {

// Shared scanner for ShellWords/ShellCommands: calls `on_sep` at unquoted separators.
template <class OnWord, class OnSep>
void ScanShell(std::string_view s, OnWord on_word, OnSep on_sep) {
  std::string word;
  bool in_word = false;
  char quote = 0;
  const auto flush = [&] {
    if (in_word) on_word(std::move(word));
    word.clear();
    in_word = false;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < s.size() &&
                 (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '$')) {
        word.push_back(s[++i]);
      } else {
        word.push_back(c);
      }
      continue;
    }
    if (c == '\\' && i + 1 < s.size()) {
      word.push_back(s[++i]);
      in_word = true;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      flush();
    } else if (c == '#' && !in_word) {
      break;
    } else if (c == '&' && i > 0 && (s[i - 1] == '>' || s[i - 1] == '<')) {
      word.push_back(c);  // "2>&1", ">&": a redirection, not a separator
      in_word = true;
    } else if (c == ';' || c == '|' || c == '&') {
      flush();
      std::string_view sep = s.substr(i, 1);
      if (i + 1 < s.size() && (c == '|' || c == '&') && s[i + 1] == c) sep = s.substr(i++, 2);
      on_sep(sep);
    } else {
      word.push_back(c);
      in_word = true;
    }
  }
  flush();
}

}  // namespace

std::vector<std::string> ShellWords(std::string_view line) {
  std::vector<std::string> out;
  ScanShell(
      line, [&](std::string w) { out.push_back(std::move(w)); },
      [&](std::string_view sep) { out.emplace_back(sep); });
  return out;
}

std::vector<SimpleCommand> ShellCommands(std::string_view code) {
  std::vector<SimpleCommand> out;
  SimpleCommand cur;
  const auto flush = [&](bool background) {
    cur.background = background;
    if (!cur.argv.empty()) out.push_back(std::move(cur));
    cur = {};
  };
  ScanShell(
      code, [&](std::string w) { cur.argv.push_back(std::move(w)); },
      [&](std::string_view sep) { flush(sep == "&"); });
  flush(false);
  return out;
}

bool LooksLikeText(std::string_view data) {
  const std::string_view head = data.substr(0, std::min<std::size_t>(data.size(), 4096));
  std::size_t odd = 0;
  for (char ch : head) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0) return false;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') ++odd;
  }
  return odd * 20 <= head.size();
}

std::optional<std::string> ReadCapped(const unpack::Tree& tree, const unpack::Entry& e,
                                      std::size_t max_bytes) {
  auto r = tree.Read(e, max_bytes);
  if (!r) return std::nullopt;
  return std::move(*r);
}

std::vector<const unpack::Entry*> RegularFiles(const unpack::Tree& tree, std::uint64_t max_size) {
  std::vector<const unpack::Entry*> out;
  for (const auto& e : tree.entries()) {
    if (e.type == unpack::EntryType::kFile && e.size <= max_size && !e.disk.empty())
      out.push_back(&e);
  }
  return out;
}

std::vector<std::uint32_t> ConfigRoots(const unpack::Tree& tree) {
  auto roots = tree.SystemRoots();
  if (roots.empty()) {
    for (std::uint32_t r = 0; r < tree.roots().size(); ++r) roots.push_back(r);
  }
  return roots;
}

bool GlobMatch(std::string_view p, std::string_view t) {
  std::size_t pi = 0, ti = 0, star_p = std::string_view::npos, star_t = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star_p = pi++;
      star_t = ti;
      continue;
    }
    bool match = false;
    std::size_t next = pi + 1;
    if (pi < p.size() && p[pi] == '?') {
      match = true;
    } else if (pi < p.size() && p[pi] == '[') {
      const auto close = p.find(']', pi + 2);
      if (close != std::string_view::npos) {
        std::string_view set = p.substr(pi + 1, close - pi - 1);
        const bool negate = !set.empty() && (set[0] == '!' || set[0] == '^');
        if (negate) set.remove_prefix(1);
        bool in = false;
        for (std::size_t k = 0; k < set.size(); ++k) {
          if (k + 2 < set.size() && set[k + 1] == '-') {
            if (t[ti] >= set[k] && t[ti] <= set[k + 2]) in = true;
            k += 2;
          } else if (set[k] == t[ti]) {
            in = true;
          }
        }
        match = in != negate;
        next = close + 1;
      } else {
        match = t[ti] == '[';
      }
    } else if (pi < p.size()) {
      match = p[pi] == t[ti];
    }
    if (match) {
      pi = next;
      ++ti;
    } else if (star_p != std::string_view::npos) {
      pi = star_p + 1;
      ti = ++star_t;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool IsShell(std::string_view program) {
  while (!program.empty() && program.front() == '-') program.remove_prefix(1);
  const auto slash = program.rfind('/');
  const std::string_view b = slash == std::string_view::npos ? program : program.substr(slash + 1);
  return b == "sh" || b == "ash" || b == "bash" || b == "hush" || b == "dash" || b == "zsh" ||
         b == "ksh";
}

}  // namespace iotcop::firmware
