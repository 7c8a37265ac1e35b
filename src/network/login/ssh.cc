// File: network/login/ssh.cc
// SSH password logins through libssh: a fresh session per attempt (no configuration files read,
// no known_hosts written), "password" or else "keyboard-interactive" answered with the password.
// A server that offers neither has no password login to guess (key-only).
#include <libssh/libssh.h>

#include <fmt/format.h>

#include "network/client.h"
#include "network/login/protocol.h"

namespace iotcop::network::login {
namespace {

using Clock = std::chrono::steady_clock;

class Ssh final : public EndpointProtocol {
 public:
  using EndpointProtocol::EndpointProtocol;
  std::string method() const override { return "ssh-password"; }

  Attempt Try(const Credential& c) override {
    Attempt a;
    a.method = method();
    ssh_session s = ssh_new();
    if (!s) {
      a.excerpt = "ssh_new failed";
      return a;
    }
    const int port = e_.port;
    long timeout = std::max<long>(1, static_cast<long>(l_.io_timeout.count() / 1000));
    const int verbosity = SSH_LOG_NOLOG;
    const int no = 0;
    ssh_options_set(s, SSH_OPTIONS_HOST, e_.address.c_str());
    ssh_options_set(s, SSH_OPTIONS_PORT, &port);
    ssh_options_set(s, SSH_OPTIONS_USER, c.user.c_str());
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
    ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
    PaceConnections(l_.rate);
    if (ssh_connect(s) != SSH_OK) {
      a.outcome = Outcome::kError;
      a.excerpt = Printable(fmt::format("connect: {}", ssh_get_error(s)));
      // A server that closes at once after failures (MaxStartups, a fail2ban-like guard).
      const std::string err = ssh_get_error(s);
      if (err.find("closed") != std::string::npos || err.find("reset") != std::string::npos)
        a.outcome = Outcome::kBlocked;
      ssh_free(s);
      return a;
    }
    const char* banner = ssh_get_serverbanner(s);
    const std::string server = banner ? banner : "";
    int rc = ssh_userauth_none(s, nullptr);
    if (rc == SSH_AUTH_SUCCESS) {
      a.outcome = Outcome::kAccepted;
      a.method = "ssh-none";
      a.excerpt = Printable(server + " accepted the user without a password");
      ssh_disconnect(s);
      ssh_free(s);
      return a;
    }
    const int methods = ssh_userauth_list(s, nullptr);
    const auto sent = Clock::now();
    if (methods & SSH_AUTH_METHOD_PASSWORD) {
      rc = ssh_userauth_password(s, nullptr, c.password.c_str());
    } else if (methods & SSH_AUTH_METHOD_INTERACTIVE) {
      a.method = "ssh-kbdint";
      rc = ssh_userauth_kbdint(s, nullptr, nullptr);
      for (int round = 0; rc == SSH_AUTH_INFO && round < 4; ++round) {
        const int n = ssh_userauth_kbdint_getnprompts(s);
        for (int i = 0; i < n && i < 8; ++i)
          ssh_userauth_kbdint_setanswer(s, i, c.password.c_str());
        rc = ssh_userauth_kbdint(s, nullptr, nullptr);
      }
    } else {
      a.outcome = Outcome::kUnsupported;
      a.excerpt = Printable(server + " offers no password login (publickey only)");
      ssh_disconnect(s);
      ssh_free(s);
      return a;
    }
    a.latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
    if (rc == SSH_AUTH_SUCCESS) {
      a.outcome = Outcome::kAccepted;
      a.excerpt = Printable(server + ": authentication succeeded");
    } else if (rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL) {
      a.outcome = Outcome::kRejected;
      a.excerpt = Printable(server + ": authentication denied");
    } else {
      a.outcome = Outcome::kBlocked;  // the server dropped us in the middle
      a.excerpt = Printable(fmt::format("{}: {}", server, ssh_get_error(s)));
    }
    ssh_disconnect(s);
    ssh_free(s);
    return a;
  }
};

}  // namespace

Result<std::unique_ptr<Protocol>> MakeSsh(const Endpoint& e, const Limits& l) {
  return std::unique_ptr<Protocol>(std::make_unique<Ssh>(e, l));
}

}  // namespace iotcop::network::login
