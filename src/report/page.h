// File: report/page.h
// The one shell of every HTML page iotcop writes: the assessment report (report/html.cc), the PSTI
// statement and TS 103 701 report (report/document.cc), `iotcop diff` (store/diff_render.cc) and
// the fleet summary of `iotcop batch` (store/fleet.cc). Every page gets the same head: doctype,
// language, charset, viewport, one Content-Security-Policy (nothing may be loaded; inline style;
// only the report's script, allowed by its hash), no referrer, the title and the one stylesheet
// (report/assets/iotcop.css); the report ends with its script (report/assets/report.js). Both
// files are embedded at build time, so every page stays one self-contained file.
#pragma once

#include <string>
#include <string_view>

namespace iotcop::report {

// Which page it is: the class of its <body> in the stylesheet.
enum class PageKind {
  kReport,    // <body>: the assessment report
  kDocument,  // <body class="plain doc">: the PSTI statement, the TS 103 701 report
  kDiff,      // <body class="plain diff">: iotcop diff
  kFleet,     // <body class="plain fleet">: the fleet summary of iotcop batch
};

struct Page {
  PageKind kind = PageKind::kReport;
  std::string title;      // text (escaped here)
  std::string generator;  // text of <meta name="generator">; none when empty
  bool script = false;    // end with the report's script (report.js)
};

// The page from "<!DOCTYPE html>" to its "<body>" line, inclusive.
std::string PageBegin(const Page& page);
// The script when the page has one, then "</body>" and "</html>".
std::string PageEnd(const Page& page);

// The policy every page carries in <meta http-equiv="Content-Security-Policy">.
const std::string& ContentSecurityPolicy();
// The stylesheet every page carries in <style> (iotcop.css after one newline).
std::string_view Stylesheet();

}  // namespace iotcop::report
