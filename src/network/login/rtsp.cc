// File: network/login/rtsp.cc
// RTSP logins (cameras): DESCRIBE rtsp://address:port/ with Basic or Digest, through the
// challenge login shared with HTTP.
#include <atomic>

#include <fmt/format.h>

#include "network/login/protocol.h"
#include "network/socket.h"
#include "protocols/address.h"

namespace iotcop::network::login {

Result<std::unique_ptr<Protocol>> MakeRtsp(const Endpoint& e, const Limits& l) {
  const std::string uri = "rtsp://" + protocols::HostPort(e.address, e.port) + "/";
  auto build = [uri](const std::string& auth) {
    static std::atomic<unsigned> cseq{1};
    return fmt::format(
        "DESCRIBE {} RTSP/1.0\r\nCSeq: {}\r\nUser-Agent: iotcop\r\nAccept: "
        "application/sdp\r\n{}\r\n",
        uri, cseq++, auth.empty() ? "" : "Authorization: " + auth + "\r\n");
  };
  return MakeChallengeLogin(e, l, build, "DESCRIBE", uri, "rtsp");
}

}  // namespace iotcop::network::login
