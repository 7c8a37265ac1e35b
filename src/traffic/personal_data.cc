// File: traffic/personal_data.cc
// Personal data in cleartext payloads: e-mail addresses and MAC addresses by their shape, phone
// numbers in international form (+44 20 7946 0018) or in a phone/tel/mobile field, GPS
// coordinates as a latitude field and a longitude field with values in range, Wi-Fi network
// names and keys in ssid / psk / passphrase fields. One linear pass per shape; at most `max` hits.
#include <cctype>
#include <charconv>
#include <set>

#include "traffic/parsers.h"

namespace iotcop::traffic {
namespace {

bool LocalChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' ||
         c == '+' || c == '-';
}
bool DomainChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}
bool HexChar(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

void Emails(std::string_view t, std::vector<PersonalData>& out, std::size_t max) {
  for (std::size_t at = t.find('@'); at != std::string_view::npos && out.size() < max;
       at = t.find('@', at + 1)) {
    std::size_t b = at;
    while (b > 0 && at - b < 64 && LocalChar(t[b - 1])) --b;
    std::size_t e = at + 1;
    while (e < t.size() && e - at < 255 && DomainChar(t[e])) ++e;
    while (e > at + 1 && (t[e - 1] == '.' || t[e - 1] == '-')) --e;
    if (b == at || e == at + 1) continue;
    const std::string_view domain = t.substr(at + 1, e - at - 1);
    const std::size_t dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || domain.size() - dot - 1 < 2) continue;
    bool tld_alpha = true;
    for (char c : domain.substr(dot + 1))
      tld_alpha &= std::isalpha(static_cast<unsigned char>(c)) != 0;
    if (!tld_alpha) continue;
    const std::string_view tld = domain.substr(dot + 1);
    bool file = false;  // "icon@2x.png" is a file name
    for (const char* ext : {"png", "jpg", "jpeg", "gif", "svg", "css", "js", "webp", "ico", "bin"})
      file |= tld == ext;
    if (file) continue;
    out.push_back({"email", std::string(t.substr(b, e - b)), b});
  }
}

void Macs(std::string_view t, std::vector<PersonalData>& out, std::size_t max) {
  if (t.size() < 17) return;
  for (std::size_t i = 0; i + 17 <= t.size() && out.size() < max; ++i) {
    if (!HexChar(t[i]) || (i > 0 && (HexChar(t[i - 1]) || t[i - 1] == ':' || t[i - 1] == '-')))
      continue;
    const char sep = t[i + 2];
    if (sep != ':' && sep != '-') continue;
    bool ok = true;
    for (int g = 0; g < 6 && ok; ++g) {
      const std::size_t p = i + static_cast<std::size_t>(g) * 3;
      ok = HexChar(t[p]) && HexChar(t[p + 1]) && (g == 5 || t[p + 2] == sep);
    }
    if (!ok) continue;
    if (i + 17 < t.size() && (HexChar(t[i + 17]) || t[i + 17] == sep)) continue;  // longer run
    const std::string mac(t.substr(i, 17));
    if (mac == "00:00:00:00:00:00" || mac == "ff:ff:ff:ff:ff:ff" || mac == "FF:FF:FF:FF:FF:FF")
      continue;
    out.push_back({"mac", mac, i});
    i += 16;
  }
}

// +CC followed by 7-14 more digits, spaces, dots or dashes between them.
void Phones(std::string_view t, std::vector<PersonalData>& out, std::size_t max) {
  for (std::size_t p = t.find('+'); p != std::string_view::npos && out.size() < max;
       p = t.find('+', p + 1)) {
    if (p > 0 && std::isalnum(static_cast<unsigned char>(t[p - 1]))) continue;
    std::size_t e = p + 1, digits = 0;
    while (e < t.size() && e - p < 24) {
      const char c = t[e];
      if (std::isdigit(static_cast<unsigned char>(c))) {
        ++digits;
      } else if (!(c == ' ' || c == '-' || c == '.') || e == p + 1) {
        break;
      }
      ++e;
    }
    while (e > p && !std::isdigit(static_cast<unsigned char>(t[e - 1]))) --e;
    if (digits < 9 || digits > 15) continue;
    if (e < t.size() && std::isalnum(static_cast<unsigned char>(t[e]))) continue;
    out.push_back({"phone", std::string(t.substr(p, e - p)), p});
  }
}

bool Number(std::string_view v, double lo, double hi, double& out) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  if (r.ec != std::errc() || out < lo || out > hi) return false;
  // A coordinate has a fractional part: "lat": 1 is more likely a flag than a place.
  return std::string_view(v.data(), static_cast<std::size_t>(r.ptr - v.data())).find('.') !=
         std::string_view::npos;
}

void Fields(std::string_view t, std::vector<PersonalData>& out, std::size_t max) {
  std::optional<std::pair<double, std::uint64_t>> lat;
  std::optional<double> lon;
  ForEachField(t, [&](std::string_view k, std::string_view v, std::uint64_t off) {
    if (out.size() >= max || v.empty()) return;
    double d = 0;
    if ((k == "lat" || k == "latitude" || k == "gps_lat") && Number(v, -90, 90, d)) {
      lat = {d, off};
    } else if ((k == "lon" || k == "lng" || k == "long" || k == "longitude" || k == "gps_lon") &&
               Number(v, -180, 180, d)) {
      lon = d;
    } else if (k == "ssid" || k == "essid" || k == "wifi_ssid" || k == "wlan_ssid" ||
               k == "sta_ssid") {
      out.push_back({"wifi-ssid", std::string(v.substr(0, 64)), off});
    } else if (k == "psk" || k == "wpa_psk" || k == "wpa_key" || k == "wifi_password" ||
               k == "wifi_key" || k == "wlan_key" || k == "passphrase" || k == "wifi_pass" ||
               k == "sta_password" || k == "wpa_passphrase") {
      out.push_back({"wifi-psk", std::string(v.substr(0, 64)), off});
    } else if (k == "phone" || k == "tel" || k == "mobile" || k == "msisdn" ||
               k == "phone_number" || k == "telephone") {
      std::size_t digits = 0;
      for (char c : v) digits += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
      if (digits >= 7 && digits <= 15) out.push_back({"phone", std::string(v.substr(0, 32)), off});
    }
    if (lat && lon) {
      out.push_back({"gps", std::to_string(lat->first) + "," + std::to_string(*lon), lat->second});
      lat.reset();
      lon.reset();
    }
  });
}

}  // namespace

std::vector<PersonalData> FindPersonalData(std::string_view text, std::size_t max) {
  std::vector<PersonalData> out;
  Emails(text, out, max);
  Macs(text, out, max);
  Phones(text, out, max);
  Fields(text, out, max);
  // One hit per (type, value).
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<PersonalData> unique;
  for (auto& p : out) {
    if (seen.insert({p.type, p.value}).second) unique.push_back(std::move(p));
  }
  return unique;
}

}  // namespace iotcop::traffic
