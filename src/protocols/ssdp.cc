// File: protocols/ssdp.cc
// SSDP answer headers and UPnP description fields (see ssdp.h).
#include "protocols/ssdp.h"

#include <algorithm>
#include <cctype>

namespace iotcop::protocols {

std::string SsdpHeader(std::string_view text, std::string_view lower_name) {
  std::string lower(text);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower.find(std::string("\n") + std::string(lower_name) + ":");
  if (at == std::string::npos) return {};
  const auto start = at + lower_name.size() + 2;
  const auto end = text.find('\n', start);
  std::string v(text.substr(start, end == std::string_view::npos ? text.npos : end - start));
  while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
  while (!v.empty() && v.front() == ' ') v.erase(v.begin());
  return v;
}

std::string UpnpField(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const auto a = xml.find(open);
  if (a == std::string_view::npos) return {};
  const auto b = xml.find('<', a + open.size());
  if (b == std::string_view::npos) return {};
  return std::string(xml.substr(a + open.size(), std::min<std::size_t>(b - a - open.size(), 200)));
}

}  // namespace iotcop::protocols
