// File: firmware/boot/boot.cc
// DiscoverBoot: runs the init systems' parts in order (inittab and rcS, rc.d links, systemd,
// rc.local, inetd and xinetd, cron) over one Walker; the known daemon names.
#include "firmware/boot/boot.h"

#include <algorithm>
#include <string_view>

#include "firmware/boot/walker.h"

namespace iotcop::firmware {
namespace {

constexpr std::string_view kDaemons[] = {
    "telnetd",  "utelnetd",       "in.telnetd", "dropbear",    "sshd",      "httpd",
    "lighttpd", "uhttpd",         "boa",        "mini_httpd",  "thttpd",    "goahead",
    "alphapd",  "nginx",          "ftpd",       "vsftpd",      "proftpd",   "pure-ftpd",
    "bftpd",    "tftpd",          "in.tftpd",   "atftpd",      "udpsvd",    "tcpsvd",
    "tddp",     "debugd",         "adbd",       "gdbserver",   "miniupnpd", "upnpd",
    "snmpd",    "mini_snmpd",     "dnsmasq",    "udhcpd",      "inetd",     "xinetd",
    "crond",    "ntpd",           "smbd",       "nmbd",        "mosquitto", "avahi-daemon",
    "lldpd",    "lld2d",          "rtspd",      "onvifd",      "cos",       "wscd",
    "hostapd",  "wpa_supplicant", "odhcpd",     "netifd",      "ubusd",     "procd",
    "rpcd",     "mdnsd",          "cwmpd",      "tr069",       "dhcpd",     "zebra",
    "syslogd",  "klogd",          "logd",       "nvram_daemon"};

}  // namespace

bool IsKnownDaemon(std::string_view name) {
  return std::find(std::begin(kDaemons), std::end(kDaemons), name) != std::end(kDaemons);
}

namespace boot {

void Walker::Add(BootCommand c) {
  if (plan.commands.size() >= kMaxCommands || c.argv.empty()) return;
  std::string key = c.file->path + ":" + std::to_string(c.line);
  for (const auto& a : c.argv) key += " " + a;
  if (!added.insert(std::move(key)).second) return;
  const std::string_view name = Basename(c.argv.front());
  c.daemon = c.daemon || c.background || IsKnownDaemon(name);
  plan.commands.push_back(std::move(c));
}

}  // namespace boot

BootPlan DiscoverBoot(const unpack::Tree& tree, std::uint32_t root) {
  boot::Walker w{tree, root, {}, {}, {}, {}};
  boot::WalkInittab(w);
  boot::WalkRcDirs(w);
  boot::WalkSystemd(w);
  boot::WalkRcLocal(w);
  boot::WalkInetd(w);
  boot::WalkCron(w);
  return std::move(w.plan);
}

}  // namespace iotcop::firmware
