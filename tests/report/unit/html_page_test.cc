// The one page shell (report/page.h) on every kind of HTML page iotcop writes (the report, the
// PSTI statement and TS 103 701 report, the diff, the fleet summary): the same head with the same
// Content-Security-Policy and the same stylesheet, well-formed markup, nothing that loads
// anything, and a stylesheet that styles every class the pages use.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "core/hash.h"
#include "report/page.h"
#include "support/report_fixture.h"

namespace iotcop {
namespace {

const std::vector<test::SamplePage>& Pages() {
  static const auto pages = test::SampleHtmlPages(test::RealCatalogue());
  return pages;
}

std::size_t CountIn(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

// "" when `html` is well-formed, else what is wrong and where: the doctype first, then one <html>
// holding <head> then <body>; every element closed in order (void elements have no end tag, SVG
// elements may close themselves); raw text only in <script> and <style>; every '<' of the text
// starts a tag and every '&' an entity; nothing but white space after </html>.
std::string MarkupProblem(std::string_view html) {
  static const std::set<std::string, std::less<>> kVoid = {
      "area",  "base", "br",   "col",    "embed", "hr", "img",
      "input", "link", "meta", "source", "track", "wbr"};
  static const std::regex kEntity("^&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);");
  constexpr std::string_view kDoctype = "<!DOCTYPE html>\n";
  if (!html.starts_with(kDoctype)) return "it does not start with <!DOCTYPE html>";
  const auto where = [](std::size_t at) { return " at offset " + std::to_string(at); };
  std::vector<std::string> open, children_of_html;
  bool had_html = false;
  std::size_t at = kDoctype.size();
  while (at < html.size()) {
    const char c = html[at];
    if (c != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(c)))
        return "text outside <html>" + where(at);
      if (c == '&' && !std::regex_search(std::string(html.substr(at, 16)), kEntity))
        return "a '&' that starts no entity" + where(at);
      ++at;
      continue;
    }
    if (html.substr(at, 4) == "<!--") {
      const auto end = html.find("-->", at);
      if (end == std::string_view::npos) return "an unterminated comment" + where(at);
      at = end + 3;
      continue;
    }
    const bool closing = html.substr(at, 2) == "</";
    const std::size_t name_at = at + (closing ? 2 : 1);
    std::size_t name_end = name_at;
    while (name_end < html.size() &&
           (std::isalnum(static_cast<unsigned char>(html[name_end])) || html[name_end] == '-'))
      ++name_end;
    if (name_end == name_at) return "a '<' that starts no tag" + where(at);
    const std::string name(html.substr(name_at, name_end - name_at));
    // The tag ends at the first '>' outside a quoted attribute value.
    char quote = 0;
    std::size_t end = name_end;
    for (; end < html.size(); ++end) {
      const char ch = html[end];
      if (quote) {
        if (ch == quote) quote = 0;
      } else if (ch == '"' || ch == '\'') {
        quote = ch;
      } else if (ch == '>') {
        break;
      } else if (ch == '<') {
        return "a '<' inside the tag <" + name + ">" + where(end);
      }
    }
    if (end == html.size()) return "the tag <" + name + "> never ends" + where(at);
    if (closing) {
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes <" + (open.empty() ? std::string("nothing") : open.back()) +
               ">" + where(at);
      open.pop_back();
      at = end + 1;
      continue;
    }
    if (open.empty()) {
      if (name != "html" || had_html) return "<" + name + "> outside <html>" + where(at);
      had_html = true;
    } else if (open.size() == 1) {
      children_of_html.push_back(name);
    }
    at = end + 1;
    if (kVoid.count(name) || html[end - 1] == '/') continue;
    open.push_back(name);
    if (name == "script" || name == "style") {  // raw text up to its end tag
      const auto close = html.find("</" + name + ">", at);
      if (close == std::string_view::npos) return "<" + name + "> is never closed" + where(at);
      at = close;
    }
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  if (children_of_html != std::vector<std::string>{"head", "body"})
    return "<html> does not hold exactly <head> then <body>";
  return "";
}

// The head of a page without the lines that name the page (its title and generator).
std::string ShellOf(const std::string& html) {
  std::string shell;
  std::size_t at = 0;
  const std::size_t end = html.find("</head>");
  while (at < end) {
    const std::size_t eol = std::min(html.find('\n', at), end);
    const std::string line = html.substr(at, eol - at);
    if (!line.starts_with("<title>") && !line.starts_with("<meta name=\"generator\""))
      shell += line + "\n";
    at = eol + 1;
  }
  return shell;
}

TEST(HtmlPages, EveryKindIsWellFormedAndHasTheOneShell) {
  const auto& pages = Pages();
  ASSERT_EQ(pages.size(), 5u);
  const std::string meta = "<meta http-equiv=\"Content-Security-Policy\" content=\"" +
                           report::ContentSecurityPolicy() + "\">";
  const std::string style = "<style>" + std::string(report::Stylesheet()) + "</style>";
  const std::regex kTag("<[^>]*>");
  // The body's class is the page kind the stylesheet scopes rules by.
  const std::map<std::string, std::string> kBodies = {{"report", "<body>"},
                                                      {"psti", "<body class=\"plain doc\">"},
                                                      {"ts103701", "<body class=\"plain doc\">"},
                                                      {"diff", "<body class=\"plain diff\">"},
                                                      {"fleet", "<body class=\"plain fleet\">"}};
  for (const auto& page : pages) {
    SCOPED_TRACE(page.kind);
    const std::string& html = page.html;
    EXPECT_EQ(MarkupProblem(html), "");
    EXPECT_TRUE(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                         "<meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width, "
                         "initial-scale=1\">\n" +
                         meta + "\n"));
    EXPECT_TRUE(html.ends_with("</body>\n</html>\n"));
    const std::string head = html.substr(0, html.find("</head>"));
    EXPECT_EQ(CountIn(html, "http-equiv"), 1u);
    EXPECT_EQ(CountIn(html, style), 1u);
    EXPECT_EQ(CountIn(html, "<style"), 1u);
    EXPECT_EQ(ShellOf(html), ShellOf(pages.front().html));
    EXPECT_EQ(CountIn(head, "<title>"), 1u);
    // Only the report has a script: its verdict filter.
    EXPECT_EQ(CountIn(html, "<script"), page.kind == "report" ? 1u : 0u);
    EXPECT_EQ(CountIn(html, kBodies.at(page.kind) + "\n"), 1u);
    // No tag loads anything (the product's text, escaped, may mention "src="), and the product's
    // text stayed text.
    for (auto it = std::sregex_iterator(html.begin(), html.end(), kTag);
         it != std::sregex_iterator(); ++it) {
      const std::string tag = it->str();
      for (const char* banned : {"<link", "<img", "<iframe", "<object", "<embed", "<base", "<b ",
                                 " src=", " srcset=", " href=\"h", " href=\"/"})
        EXPECT_EQ(tag.find(banned), std::string::npos) << tag;
    }
  }
  EXPECT_NE(pages[3].html.find("Backdoor &lt;b onmouseover=alert(2)&gt;telnetd&lt;/b&gt; &amp; co"),
            std::string::npos);
  EXPECT_NE(
      pages[4].html.find("/www/cgi-bin/&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;.sh"),
      std::string::npos);
}

TEST(HtmlPages, TheMarkupCheckCatchesWhatIsNotWellFormed) {
  const std::string& page = Pages()[3].html;  // the diff
  ASSERT_EQ(MarkupProblem(page), "");
  const auto with = [&](std::string_view from, std::string_view to) {
    std::string out = page;
    const auto at = out.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? page : out.replace(at, from.size(), to);
  };
  EXPECT_NE(MarkupProblem(with("</td>", "")), "");
  EXPECT_NE(MarkupProblem(with("</table>", "</tbody>")), "");
  EXPECT_NE(MarkupProblem(with("&lt;", "<")), "");
  EXPECT_NE(MarkupProblem(with("&amp;", "& ")), "");
  EXPECT_NE(MarkupProblem(with("</head>\n", "</head>\n<p>x</p>")), "");
  EXPECT_NE(MarkupProblem(with("</html>\n", "</html>\n<p>x</p>")), "");
  EXPECT_NE(MarkupProblem(with("<!DOCTYPE html>\n", "")), "");
  EXPECT_EQ(MarkupProblem(with("<h1>", "<!-- a comment <p> --><h1>")), "");
}

TEST(HtmlPages, ThePolicyLoadsNothingAndAllowsOnlyTheReportsScriptByItsHash) {
  const std::string& report = Pages().front().html;
  const auto open = report.find("<script>") + 8;
  const std::string script = report.substr(open, report.find("</script>") - open);
  ASSERT_NE(script.find("verdict-filter"), std::string::npos);
  const std::string& policy = report::ContentSecurityPolicy();
  const std::string prefix =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-";
  const std::string suffix = "'; base-uri 'none'; form-action 'none'";
  ASSERT_TRUE(policy.starts_with(prefix) && policy.ends_with(suffix)) << policy;
  const std::string hash =
      policy.substr(prefix.size(), policy.size() - prefix.size() - suffix.size());
  EXPECT_EQ(hash.size(), 44u) << hash;
  // The hash is the SHA-256 of exactly the text of the script element.
  const std::string raw = Base64Decode(hash);
  std::string hex;
  for (unsigned char b : raw) hex += fmt::format("{:02x}", b);
  EXPECT_EQ(hex, Sha256Hex(AsBytes(script)));
}

TEST(HtmlPages, TheStylesheetStylesEveryClassThePlainPagesUse) {
  const std::string_view css = report::Stylesheet();
  EXPECT_EQ(CountIn(css, "{"), CountIn(css, "}"));
  for (const char* banned : {"url(", "@import", "@font-face", "</"})
    EXPECT_EQ(css.find(banned), std::string_view::npos) << banned;
  const std::regex class_attr("<([a-z]+)[^>]* class=\"([^\"]+)\"");
  std::size_t used = 0;
  for (const auto& page : Pages()) {
    // The report's classes are also hooks without a rule of their own (table.inputs, s-info).
    if (page.kind == "report") continue;
    std::set<std::string> classes;
    for (auto it = std::sregex_iterator(page.html.begin(), page.html.end(), class_attr);
         it != std::sregex_iterator(); ++it) {
      if ((*it)[1] == "body") continue;  // the page kind: a scope, not a style
      std::istringstream words((*it)[2]);
      for (std::string w; words >> w;) classes.insert(w);
    }
    used += classes.size();
    for (const auto& c : classes) {
      bool styled = false;
      for (auto at = css.find("." + c); at != std::string_view::npos && !styled;
           at = css.find("." + c, at + 1)) {
        const std::size_t after = at + 1 + c.size();
        styled = after == css.size() || !(std::isalnum(static_cast<unsigned char>(css[after])) ||
                                          css[after] == '-' || css[after] == '_');
      }
      EXPECT_TRUE(styled) << page.kind << ": class " << c << " has no rule";
    }
  }
  EXPECT_GE(used, 6u);  // doc-note, doc-sig, doc-sig-filled, diff-fixed, diff-new, fleet-legend…
}

}  // namespace
}  // namespace iotcop
