// File: tests/support/net_devices.cc
// Real daemons as test devices (see net_devices.h).
#include "support/net_devices.h"

#include <fmt/format.h>

#include <thread>

#include "network/socket.h"
#include "network/udp/mdns.h"
#include "protocols/address.h"
#include "support/test_support.h"

namespace iotcop::test {

namespace fs = std::filesystem;

std::string MakeSelfSigned(const fs::path& pem, const std::string& cn, int days, int rsa_bits) {
  const fs::path dir = pem.parent_path();
  const std::string key = (dir / (pem.stem().string() + ".key")).string();
  const std::string crt = (dir / (pem.stem().string() + ".crt")).string();
  const bool ip = cn.find_first_not_of("0123456789.") == std::string::npos;
  // An expired certificate: valid from 3 days ago to yesterday (openssl x509 -days would not go
  // backwards; -not_before/-not_after exist from OpenSSL 3.4 only, so use faketime-free ca-less
  // signing with explicit dates through `openssl req -x509` and a tiny config).
  std::string dates;
  if (days < 0) {
    const fs::path cfg = dir / (pem.stem().string() + ".cnf");
    WriteFile(cfg, "[ca]\ndefault_ca=c\n[c]\ndatabase=" + (dir / "index.txt").string() +
                       "\nnew_certs_dir=" + dir.string() +
                       "\ndefault_md=sha256\npolicy=p\nserial=" + (dir / "serial").string() +
                       "\n[p]\ncommonName=supplied\n");
    WriteFile(dir / "index.txt", "");
    WriteFile(dir / "serial", "01\n");
    const auto r = RunShell(fmt::format(
        "openssl req -new -newkey rsa:{0} -nodes -keyout {1} -out {1}.csr -subj /CN={2} && "
        "openssl ca -batch -config {3} -selfsign -keyfile {1} -in {1}.csr -out {4} "
        "-startdate 20200101000000Z -enddate 20200201000000Z -notext",
        rsa_bits, key, cn, cfg.string(), crt));
    if (r.exit_code != 0) return "openssl ca: " + r.err;
  } else {
    const auto r = RunShell(fmt::format(
        "openssl req -x509 -newkey rsa:{} -nodes -keyout {} -out {} -days {} -subj /CN={} {}",
        rsa_bits, key, crt, days, cn, ip ? "-addext subjectAltName=IP:" + cn : ""));
    if (r.exit_code != 0) return "openssl req: " + r.err;
  }
  WriteFile(pem, ReadFile(crt) + ReadFile(key));
  return {};
}

std::string StartLighttpd(Daemon& d, const fs::path& dir, const LighttpdConfig& c) {
  if (!HaveTool("lighttpd")) return "lighttpd is not installed";
  fs::create_directories(dir / "www/.well-known");
  WriteFile(dir / "www/index.html", "<html><body>device</body></html>\n");
  if (!c.security_txt.empty()) WriteFile(dir / "www/.well-known/security.txt", c.security_txt);
  std::string conf = fmt::format(
      "server.document-root = \"{0}/www\"\nserver.errorlog = \"{0}/lighttpd.err\"\n"
      "server.modules += (\"mod_openssl\", \"mod_redirect\")\nindex-file.names = (\"index.html\")\n"
      "server.tag = \"{1}\"\n",
      dir.string(), c.server_tag ? "lighttpd/1.4.69" : "");
  std::uint16_t main_port = c.http_port ? c.http_port : c.https_port;
  // lighttpd writes IPv6 binds and sockets in brackets.
  const std::string bind = protocols::UrlHost(c.address);
  conf += fmt::format("server.bind = \"{}\"\nserver.port = {}\n", bind, main_port);
  if (!c.admin_password.empty()) {
    WriteFile(dir / "users", "admin:" + c.admin_password + "\n");
    conf += fmt::format(
        "server.modules += (\"mod_auth\", \"mod_authn_file\")\nauth.backend = \"plain\"\n"
        "auth.backend.plain.userfile = \"{}/users\"\nauth.require = (\"/\" => (\"method\" => "
        "\"basic\", \"realm\" => \"device\", \"require\" => \"valid-user\"))\n",
        dir.string());
  }
  const std::string tls = fmt::format(
      "  ssl.engine = \"enable\"\n  ssl.pemfile = \"{}/server.pem\"\n"
      "  ssl.openssl.ssl-conf-cmd = (\"MinProtocol\" => \"{}\", \"CipherString\" => \"{}\")\n",
      dir.string(), c.min_tls, c.cipher_string);
  if (c.https_port) {
    if (std::string err = MakeSelfSigned(dir / "server.pem", c.address); !err.empty()) return err;
    if (c.http_port)
      conf += fmt::format("$SERVER[\"socket\"] == \"{}:{}\" {{\n{}}}\n", bind, c.https_port, tls);
    else
      conf += tls;
  }
  if (c.redirect_http_to_https && c.http_port)
    conf += fmt::format(
        "$SERVER[\"socket\"] == \"{}:{}\" {{\n  url.redirect = (\"\" => "
        "\"https://{}${{url.path}}\")\n}}\n",
        bind, c.http_port, bind);
  WriteFile(dir / "lighttpd.conf", conf);
  if (auto e = d.Start({"lighttpd", "-D", "-f", (dir / "lighttpd.conf").string()},
                       (dir / "lighttpd.log").string());
      !e.empty())
    return e;
  if (!WaitForTcp(c.address, main_port, std::chrono::seconds(5)))
    return "lighttpd did not start: " + d.Log() + ReadFile(dir / "lighttpd.err");
  if (c.https_port && c.http_port && !WaitForTcp(c.address, c.https_port, std::chrono::seconds(5)))
    return "lighttpd TLS listener did not start: " + ReadFile(dir / "lighttpd.err");
  return {};
}

std::string StartMosquitto(Daemon& d, const fs::path& dir, const std::string& address,
                           std::uint16_t port) {
  if (!HaveTool("mosquitto")) return "mosquitto is not installed";
  WriteFile(dir / "mosquitto.conf", fmt::format("listener {} {}\nallow_anonymous true\n"
                                                "persistence false\nlog_dest stderr\nuser root\n",
                                                port, address));
  if (auto e = d.Start({"mosquitto", "-c", (dir / "mosquitto.conf").string()},
                       (dir / "mosquitto.log").string());
      !e.empty())
    return e;
  if (!WaitForTcp(address, port, std::chrono::seconds(5)))
    return "mosquitto did not start: " + d.Log();
  return {};
}

std::string StartVsftpd(Daemon& d, const fs::path& dir, const std::string& address) {
  if (!HaveTool("vsftpd")) return "vsftpd is not installed";
  fs::create_directories(dir / "ftp-empty");
  fs::create_directories(dir / "ftp-root");
  WriteFile(dir / "vsftpd.conf",
            fmt::format("listen=YES\nlisten_ipv6=NO\nlisten_address={0}\nbackground=NO\n"
                        "anonymous_enable=YES\nlocal_enable=NO\nwrite_enable=NO\n"
                        "anon_root={1}/ftp-root\nsecure_chroot_dir={1}/ftp-empty\n"
                        "run_as_launching_user=YES\nseccomp_sandbox=NO\nxferlog_enable=NO\n",
                        address, dir.string()));
  if (auto e = d.Start({"vsftpd", (dir / "vsftpd.conf").string()}, (dir / "vsftpd.log").string());
      !e.empty())
    return e;
  if (!WaitForTcp(address, 21, std::chrono::seconds(5))) return "vsftpd did not start: " + d.Log();
  return {};
}

std::string StartTelnetd(Daemon& d, const fs::path& dir, const std::string& address) {
  if (!HaveTool("busybox")) return "busybox is not installed";
  // The test's own login program: asks for a password and never grants anything.
  WriteFile(dir / "login.sh",
            "#!/bin/sh\nprintf 'device login: '\nread u\nprintf 'Password: '\nread p\n"
            "echo 'Login incorrect'\n");
  fs::permissions(dir / "login.sh", fs::perms::owner_all);
  if (auto e = d.Start(
          {"busybox", "telnetd", "-F", "-b", address + ":23", "-l", (dir / "login.sh").string()},
          (dir / "telnetd.log").string());
      !e.empty())
    return e;
  if (!WaitForTcp(address, 23, std::chrono::seconds(5))) return "telnetd did not start: " + d.Log();
  return {};
}

std::string StartDropbear(Daemon& d, const fs::path& dir, const std::string& address, bool key_only,
                          const std::vector<std::string>& extra_keys) {
  if (!HaveTool("dropbear") || !HaveTool("dropbearkey")) return "dropbear is not installed";
  const std::string key = (dir / "dropbear_ed25519").string();
  if (!fs::exists(key) && RunShell("dropbearkey -t ed25519 -f " + key).exit_code != 0)
    return "dropbearkey failed";
  std::vector<std::string> argv = {"dropbear",
                                   "-F",
                                   "-E",
                                   "-p",
                                   address + ":22",
                                   "-r",
                                   key,
                                   "-P",
                                   (dir / "dropbear.pid").string()};
  for (const auto& k : extra_keys) {  // "rsa:1024", "ecdsa:256"
    const auto colon = k.find(':');
    const std::string type = k.substr(0, colon);
    const std::string file = (dir / ("dropbear_" + type)).string();
    const std::string size = colon == std::string::npos ? "" : " -s " + k.substr(colon + 1);
    if (!fs::exists(file) &&
        RunShell("dropbearkey -t " + type + size + " -f " + file).exit_code != 0)
      return "dropbearkey -t " + type + size + " failed";
    argv.push_back("-r");
    argv.push_back(file);
  }
  if (key_only) argv.push_back("-s");
  if (auto e = d.Start(argv, (dir / "dropbear.log").string()); !e.empty()) return e;
  if (!WaitForTcp(address, 22, std::chrono::seconds(5)))
    return "dropbear did not start: " + d.Log();
  return {};
}

bool WaitForUdp(const std::string& address, std::uint16_t port, const std::string& request,
                std::chrono::milliseconds timeout) {
  network::RateLimiter unlimited(0);
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (!network::UdpExchange(address, port, request, std::chrono::milliseconds(200), 65536,
                              unlimited, port == 69)
             .empty())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string StartCoapServer(Daemon& d, const fs::path& dir, const std::string& address) {
  std::string bin;
  for (const char* b :
       {"coap-server", "coap-server-notls", "coap-server-openssl", "coap-server-gnutls"})
    if (HaveTool(b)) {
      bin = b;
      break;
    }
  if (bin.empty()) return "coap-server (libcoap3-bin) is not installed";
  fs::create_directories(dir);
  if (auto e = d.Start({bin, "-A", address, "-p", "5683", "-v", "4"}, (dir / "coap.log").string());
      !e.empty())
    return e;
  const std::string get(
      "\x40\x01\x00\x01\xbb.well-known\x04"
      "core",
      20);
  if (!WaitForUdp(address, 5683, get)) return bin + " did not answer: " + d.Log();
  return {};
}

std::string StartAtftpd(Daemon& d, const fs::path& dir, const std::string& address) {
  if (!HaveTool("atftpd")) return "atftpd is not installed";
  fs::create_directories(dir / "tftp");
  fs::permissions(dir / "tftp", fs::perms::all);
  if (auto e =
          d.Start({"atftpd", "--daemon", "--no-fork", "--bind-address", address, "--port", "69",
                   "--logfile", "-", "--user", "root", "--group", "root", (dir / "tftp").string()},
                  (dir / "atftpd.log").string());
      !e.empty())
    return e;
  const std::string rrq =
      std::string("\x00\x01", 2) + "probe" + std::string(1, '\0') + "octet" + std::string(1, '\0');
  if (!WaitForUdp(address, 69, rrq)) return "atftpd did not answer: " + d.Log();
  return {};
}

std::string StartAvahi(Daemon& d, const fs::path& dir, const std::string& host) {
  if (!HaveTool("avahi-daemon")) return "avahi-daemon is not installed";
  if (!fs::is_directory("/etc/avahi/services")) return "/etc/avahi/services is missing";
  fs::create_directories(dir / "services");
  fs::create_directories(dir / "run");
  WriteFile(dir / "avahi-daemon.conf",
            fmt::format("[server]\nhost-name={}\ndomain-name=local\nuse-ipv4=yes\nuse-ipv6=no\n"
                        "allow-interfaces=lo\nenable-dbus=no\n[publish]\npublish-addresses=yes\n"
                        "publish-hinfo=no\npublish-workstation=no\n",
                        host));
  WriteFile(dir / "services/http.service",
            "<?xml version=\"1.0\" standalone='no'?>\n<service-group><name>Cam web</name>"
            "<service><type>_http._tcp</type><port>80</port><txt-record>model=IPC-100</txt-record>"
            "</service></service-group>\n");
  if (auto e = d.Start({"unshare", "-m", "sh", "-c",
                        fmt::format("mount --bind {0}/services /etc/avahi/services && "
                                    "mount --bind {0}/run /run && exec avahi-daemon -f "
                                    "{0}/avahi-daemon.conf --no-drop-root --no-chroot "
                                    "--no-rlimits --no-proc-title",
                                    dir.string())},
                       (dir / "avahi.log").string());
      !e.empty())
    return e;
  // Up once it answers for the service type it publishes with the service's SRV record: before
  // its host name is established (probing takes about a second) it answers the PTR alone.
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  network::RateLimiter unlimited(0);
  while (std::chrono::steady_clock::now() < end && d.running()) {
    const auto a = network::ParseMdnsAnswer(
        network::UdpExchange("127.0.0.1", 5353, network::MdnsQuery("_http._tcp.local"),
                             std::chrono::milliseconds(200), 65536, unlimited));
    if (!a.hosts.empty()) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "avahi-daemon did not answer: " + d.Log();
}

}  // namespace iotcop::test
