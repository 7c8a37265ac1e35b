// File: network/login/mqtt.cc
// MQTT logins through libmosquitto: CONNECT without credentials (anonymous access) first, then
// the dictionary; the CONNACK return code tells accepted (0) from refused (4 bad user name or
// password, 5 not authorised). Non-blocking connect, bounded by Limits::io_timeout.
#include <mosquitto.h>

#include <atomic>
#include <mutex>

#include <fmt/format.h>

#include "network/client.h"
#include "network/login/protocol.h"

namespace iotcop::network::login {
namespace {

using Clock = std::chrono::steady_clock;

struct State {
  int rc = -1;  // CONNACK code once it arrives
  bool disconnected = false;
};

void OnConnect(mosquitto*, void* obj, int rc) { static_cast<State*>(obj)->rc = rc; }
void OnDisconnect(mosquitto*, void* obj, int) { static_cast<State*>(obj)->disconnected = true; }

class Mqtt final : public EndpointProtocol {
 public:
  Mqtt(Endpoint e, Limits l) : EndpointProtocol(std::move(e), l) {
    static std::once_flag once;
    std::call_once(once, [] { mosquitto_lib_init(); });
  }
  std::string method() const override { return "mqtt"; }

  Attempt Try(const Credential& c) override {
    Attempt a;
    State st;
    static std::atomic<unsigned> counter{0};
    const std::string id = fmt::format("iotcop-{}", counter++);
    mosquitto* m = mosquitto_new(id.c_str(), true, &st);
    if (!m) {
      a.excerpt = "mosquitto_new failed";
      return a;
    }
    mosquitto_connect_callback_set(m, OnConnect);
    mosquitto_disconnect_callback_set(m, OnDisconnect);
    if (!c.anonymous) mosquitto_username_pw_set(m, c.user.c_str(), c.password.c_str());
    if (e_.tls) {
      mosquitto_tls_insecure_set(m, true);
      mosquitto_tls_opts_set(m, 0, nullptr, nullptr);  // SSL_VERIFY_NONE
      mosquitto_tls_set(m, nullptr, "/etc/ssl/certs", nullptr, nullptr, nullptr);
    }
    PaceConnections(l_.rate);
    const auto sent = Clock::now();
    int rc = mosquitto_connect_async(m, e_.address.c_str(), e_.port, 10);
    if (rc != MOSQ_ERR_SUCCESS) {
      a.excerpt = Printable(fmt::format("connect: {}", mosquitto_strerror(rc)));
      mosquitto_destroy(m);
      return a;
    }
    const auto deadline = sent + l_.io_timeout;
    while (st.rc < 0 && !st.disconnected && Clock::now() < deadline) {
      rc = mosquitto_loop(m, 50, 1);
      if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN && rc != MOSQ_ERR_CONN_LOST) {
        break;
      }
      if (rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_NO_CONN) {
        st.disconnected = true;
        break;
      }
    }
    a.latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
    if (st.rc == 0) {
      a.outcome = Outcome::kAccepted;
      a.excerpt = "CONNACK 0 (connection accepted)";
    } else if (st.rc == 4 || st.rc == 5) {
      a.outcome = Outcome::kRejected;
      a.excerpt = fmt::format("CONNACK {} ({})", st.rc, mosquitto_connack_string(st.rc));
    } else if (st.rc > 0) {
      a.outcome = st.rc == 3 ? Outcome::kBlocked : Outcome::kError;
      a.excerpt = fmt::format("CONNACK {} ({})", st.rc, mosquitto_connack_string(st.rc));
    } else {
      a.outcome = st.disconnected ? Outcome::kBlocked : Outcome::kError;
      a.excerpt = st.disconnected ? "closed before CONNACK" : "no CONNACK before the timeout";
    }
    mosquitto_disconnect(m);
    mosquitto_destroy(m);
    return a;
  }
};

}  // namespace

Result<std::unique_ptr<Protocol>> MakeMqtt(const Endpoint& e, const Limits& l) {
  return std::unique_ptr<Protocol>(std::make_unique<Mqtt>(e, l));
}

}  // namespace iotcop::network::login
