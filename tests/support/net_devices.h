// File: tests/support/net_devices.h
// Real Debian daemons configured as the live-device tests' devices, each bound to one 127.0.0.N
// inside the test's private network namespace (netns.h), with every file in the test's TempDir.
// Each Start* returns "" on success or why the daemon could not start (the test skips with it).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/netns.h"

namespace iotcop::test {

// A self-signed certificate and key for `cn` (also its IP subjectAltName when cn is an address),
// as one PEM file (certificate then key); `days` < 0 makes one that has already expired.
std::string MakeSelfSigned(const std::filesystem::path& pem, const std::string& cn, int days = 30,
                           int rsa_bits = 2048);

struct LighttpdConfig {
  std::string address;             // 127.0.0.N, or an IPv6 address ("::1")
  std::uint16_t http_port = 80;    // 0: no plain listener
  std::uint16_t https_port = 443;  // 0: no TLS listener
  std::string min_tls = "TLSv1";   // ssl-conf MinProtocol
  std::string cipher_string = "DEFAULT@SECLEVEL=0";
  bool server_tag = true;    // Server: lighttpd/x.y.z
  std::string security_txt;  // served at /.well-known/security.txt when not empty
  bool redirect_http_to_https = false;
  std::string admin_password;  // not empty: HTTP Basic on every listener, user admin
};
std::string StartLighttpd(Daemon& d, const std::filesystem::path& dir, const LighttpdConfig& c);

// mosquitto with a listener on address:port, anonymous clients allowed.
std::string StartMosquitto(Daemon& d, const std::filesystem::path& dir, const std::string& address,
                           std::uint16_t port = 1883);

// vsftpd, anonymous login, in the foreground on address:21.
std::string StartVsftpd(Daemon& d, const std::filesystem::path& dir, const std::string& address);

// BusyBox telnetd on address:23 whose login program is a script of the test's own.
std::string StartTelnetd(Daemon& d, const std::filesystem::path& dir, const std::string& address);

// dropbear on address:22 with an ed25519 host key made by dropbearkey; `key_only`: -s (no
// password logins); `extra_keys`: more host keys, "type:bits" ("rsa:1024", "ecdsa:256").
std::string StartDropbear(Daemon& d, const std::filesystem::path& dir, const std::string& address,
                          bool key_only, const std::vector<std::string>& extra_keys = {});

// libcoap's example coap-server (coap-server, else coap-server-notls / -openssl / -gnutls of
// Debian's libcoap3-bin) on address:5683/udp; its /.well-known/core lists /, /time, /async and
// /example_data. Waits until it answers a GET.
std::string StartCoapServer(Daemon& d, const std::filesystem::path& dir,
                            const std::string& address);

// atftpd in the foreground on address:69/udp serving `dir`/tftp (created, world-writable as atftpd
// wants) as root; Debian's tftpd-hpa cannot bind 127.0.0.N in a namespace with only loopback.
std::string StartAtftpd(Daemon& d, const std::filesystem::path& dir, const std::string& address);

// avahi-daemon without D-Bus on lo, in a private mount namespace whose /etc/avahi/services and
// /run are test folders (the machine's own are never touched), host name `host`, publishing one
// `_http._tcp` service "Cam web" on port 80 with the TXT record model=IPC-100. It answers unicast
// queries from 127.0.0.1 (the address of lo). Waits until it answers.
std::string StartAvahi(Daemon& d, const std::filesystem::path& dir, const std::string& host);

// Polls address:port/udp with `request` until an answer comes back or `timeout` passes.
bool WaitForUdp(const std::string& address, std::uint16_t port, const std::string& request,
                std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace iotcop::test
