// File: protocols/telnet.cc
// Telnet command stripping and option refusal (see telnet.h).
#include "protocols/telnet.h"

namespace iotcop::protocols {

TelnetDecoded DecodeTelnet(std::string_view in) {
  constexpr unsigned char kIac = 255, kSb = 250, kSe = 240, kWill = 251, kWont = 252, kDo = 253,
                          kDont = 254;
  TelnetDecoded d;
  std::size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c != kIac) {
      d.text += in[i++];
      continue;
    }
    if (i + 1 >= in.size()) break;  // unfinished
    const auto cmd = static_cast<unsigned char>(in[i + 1]);
    if (cmd == kIac) {
      d.text += in[i + 1];
      i += 2;
    } else if (cmd == kWill || cmd == kWont || cmd == kDo || cmd == kDont) {
      if (i + 2 >= in.size()) break;
      const char opt = in[i + 2];
      if (cmd == kWill) d.reply += {static_cast<char>(kIac), static_cast<char>(kDont), opt};
      if (cmd == kDo) d.reply += {static_cast<char>(kIac), static_cast<char>(kWont), opt};
      i += 3;
    } else if (cmd == kSb) {
      // Subnegotiation: skip to IAC SE; unfinished when it has not arrived.
      std::size_t j = i + 2;
      bool end = false;
      while (j + 1 < in.size()) {
        if (static_cast<unsigned char>(in[j]) == kIac &&
            static_cast<unsigned char>(in[j + 1]) == kSe) {
          end = true;
          break;
        }
        ++j;
      }
      if (!end) break;
      i = j + 2;
    } else {
      i += 2;  // NOP, GA, AYT...: no data
    }
    d.used = i;
  }
  d.used = i;
  if (d.reply.size() > 3 * 64) d.reply.resize(3 * 64);  // never amplify a flood of offers
  return d;
}

}  // namespace iotcop::protocols
