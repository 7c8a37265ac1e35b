// File: tests/support/net_devices.h
// Real Debian daemons configured as the live-device tests' devices, each bound to one 127.0.0.N
// inside the test's private network namespace (netns.h), with every file in the test's TempDir.
// Each Start* returns "" on success or why the daemon could not start (the test skips with it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "support/netns.h"

namespace iotcop::test {

// A self-signed certificate and key for `cn` (also its IP subjectAltName when cn is an address),
// as one PEM file (certificate then key); `days` < 0 makes one that has already expired.
std::string MakeSelfSigned(const std::filesystem::path& pem, const std::string& cn, int days = 30,
                           int rsa_bits = 2048);

struct LighttpdConfig {
  std::string address;
  std::uint16_t http_port = 80;    // 0: no plain listener
  std::uint16_t https_port = 443;  // 0: no TLS listener
  std::string min_tls = "TLSv1";   // ssl-conf MinProtocol
  std::string cipher_string = "DEFAULT@SECLEVEL=0";
  bool server_tag = true;    // Server: lighttpd/x.y.z
  std::string security_txt;  // served at /.well-known/security.txt when not empty
  bool redirect_http_to_https = false;
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
// password logins).
std::string StartDropbear(Daemon& d, const std::filesystem::path& dir, const std::string& address,
                          bool key_only);

}  // namespace iotcop::test
