#include "report/page.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include "core/hash.h"
#include "report/assets/embedded.h"
#include "report/util.h"

namespace iotcop::report {
namespace {

// Base64 of the SHA-256 of `text`, for the CSP hash source of the inline script.
std::string Sha256Base64(std::string_view text) {
  const std::string hex = Sha256Hex(AsBytes(text));
  unsigned char raw[32];
  for (std::size_t i = 0; i < 32; ++i)
    raw[i] = static_cast<unsigned char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  unsigned char b64[48] = {};
  const int n = EVP_EncodeBlock(b64, raw, 32);
  return std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
}

const char* BodyTag(PageKind kind) {
  switch (kind) {
    case PageKind::kReport:
      return "<body>";
    case PageKind::kDocument:
      return "<body class=\"plain doc\">";
    case PageKind::kDiff:
      return "<body class=\"plain diff\">";
    case PageKind::kFleet:
      return "<body class=\"plain fleet\">";
  }
  return "<body>";
}

}  // namespace

const std::string& ContentSecurityPolicy() {
  // The same on every page, whether it has the script or not.
  static const std::string policy = fmt::format(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{}'; "
      "base-uri 'none'; form-action 'none'",
      Sha256Base64(assets::kReportScript));
  return policy;
}

std::string_view Stylesheet() { return assets::kStylesheet; }

std::string PageBegin(const Page& page) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n",
                     ContentSecurityPolicy());
  out += "<meta name=\"referrer\" content=\"no-referrer\">\n";
  if (!page.generator.empty())
    out += fmt::format("<meta name=\"generator\" content=\"{}\">\n", XmlEscape(page.generator));
  out += fmt::format("<title>{}</title>\n", XmlEscape(page.title));
  out += fmt::format("<style>{}</style>\n</head>\n{}\n", Stylesheet(), BodyTag(page.kind));
  return out;
}

std::string PageEnd(const Page& page) {
  std::string out;
  if (page.script) out += fmt::format("<script>{}</script>\n", assets::kReportScript);
  return out + "</body>\n</html>\n";
}

}  // namespace iotcop::report
