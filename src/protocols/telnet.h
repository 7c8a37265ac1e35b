// File: protocols/telnet.h
// Telnet option negotiation (RFC 854/855): the data bytes of what a peer sends, commands removed,
// and the refusal of every option offered or asked for. Pure and bounded; used by the telnet
// login probe (network/login/telnet.cc) and the capture analysis (traffic/credentials.cc).
#pragma once

#include <string>
#include <string_view>

namespace iotcop::protocols {

struct TelnetDecoded {
  std::string text;      // the data bytes, commands removed (IAC IAC is one 0xff)
  std::string reply;     // what to send back (WONT / DONT for each DO / WILL), at most 64 of them
  std::size_t used = 0;  // bytes of the input consumed; the rest is an unfinished command
};

TelnetDecoded DecodeTelnet(std::string_view in);

}  // namespace iotcop::protocols
