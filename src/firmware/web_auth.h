// File: firmware/web_auth.h
// How the image's web servers protect their paths, read from their own configuration without
// running them: lighttpd (auth.require per path, auth.backend.*.userfile), BusyBox httpd and
// uhttpd (httpd.conf "/path:user:password" lines, /etc/config/uhttpd realm and home), boa forks
// (`Auth /path passwdfile`, DocumentRoot), GoAhead (route.txt `route uri=... auth=...`, auth.txt
// `user name=...`) and mini_httpd/thttpd (a .htpasswd protects its folder; dir= of their conf).
// Shared by the web-auth collector (facts) and the config-credentials collector (user files).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "unpack/tree.h"

namespace iotcop::firmware {

struct WebRealm {
  std::string server;  // lighttpd | httpd | uhttpd | boa | goahead | mini_httpd
  const unpack::Entry* config = nullptr;
  std::uint32_t line = 0;
  std::string path;  // URL prefix
  std::string realm;
  std::string method;     // basic | digest | form | none
  std::string user_file;  // path inside the root, when the configuration names one
  std::vector<std::string> users;
};

struct WebServerConfig {
  std::string server;
  const unpack::Entry* config = nullptr;
  std::string docroot;  // path inside the root; empty when unknown
};

struct WebAuth {
  std::vector<WebRealm> realms;
  std::vector<WebServerConfig> servers;
};

// Bounded: configuration files up to 1 MiB, 2000 realms.
WebAuth DiscoverWebAuth(const unpack::Tree& tree, std::uint32_t root);

// True for a URL path or file name that is an administration page or handler (admin, action,
// cgi-bin, goform, setup, config, system, management, *.cgi); never for a login or logout page.
bool IsAdminWebPath(std::string_view path);

}  // namespace iotcop::firmware
