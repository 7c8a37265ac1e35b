// File: network/udp/tftp.cc
// TFTP on a live device: a read request for a file that should not exist. The answer comes from
// a new port (the server's transfer ID). "File not found" means the server looked the name up for
// an anonymous client: reads are served without authentication; DATA would be the file itself.
#include <fmt/format.h>

#include "network/udp/udp.h"

namespace iotcop::network {

void ProbeTftp(const UdpTarget& t, std::vector<UdpFinding>& out) {
  const std::string req = std::string("\x00\x01", 2) + "iotcop-probe-nonexistent" +
                          std::string(1, '\0') + "octet" + std::string(1, '\0');
  const std::string a = UdpExchange(t.address, 69, req, t.timeout, t.cap, t.rate, true);
  if (a.size() < 4 || a[0] != '\0' || (a[1] != '\x03' && a[1] != '\x05')) return;
  nlohmann::json s = {
      {"service", "tftp"}, {"cleartext", true}, {"anonymous", true}, {"banner", Printable(a, 120)}};
  if (a[1] == '\x05') {
    const int code = static_cast<unsigned char>(a[2]) << 8 | static_cast<unsigned char>(a[3]);
    const std::string text = Printable(std::string_view(a).substr(4, a.find('\0', 4) - 4), 80);
    s["read_answer"] = fmt::format("error {}: {}", code, text);
    // 1 file not found: it looked; 2 access violation / 0 other: it may refuse every read.
    s["reads"] = code == 1;
  } else {
    s["read_answer"] = "data";
    s["reads"] = true;
  }
  out.push_back({69, s});
}

}  // namespace iotcop::network
