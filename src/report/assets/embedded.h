// File: report/assets/embedded.h
// The files of report/assets/ as the binary holds them: src/CMakeLists.txt ("report assets")
// generates their definitions from embedded.cc.in at build time. Each text is the file's content
// after one newline, as report/page.cc puts it inside its element.
#pragma once

#include <string_view>

namespace iotcop::report::assets {

extern const std::string_view kStylesheet;    // iotcop.css
extern const std::string_view kReportScript;  // report.js

}  // namespace iotcop::report::assets
