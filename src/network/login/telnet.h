// File: network/login/telnet.h
// Telnet option negotiation (RFC 854/855) as the login probe needs it: strip commands from what
// the server sends, refuse every option it offers or asks for. Pure and bounded, fuzzed
// (fuzz_telnet).
#pragma once

#include <string>
#include <string_view>

namespace iotcop::network::login {

struct TelnetDecoded {
  std::string text;      // the data bytes, commands removed
  std::string reply;     // what to send back (WONT / DONT for each DO / WILL)
  std::size_t used = 0;  // bytes of the input consumed; the rest is an unfinished command
};

TelnetDecoded DecodeTelnet(std::string_view in);

}  // namespace iotcop::network::login
