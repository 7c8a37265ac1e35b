// File: traffic/capture.cc
// libpcap reading (pcap and pcapng) and live capture (traffic/capture.h).
#include "traffic/capture.h"

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <memory>

namespace iotcop::traffic {
namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
struct DumperCloser {
  void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
};

}  // namespace

Result<ReadSummary> ReadCapture(const std::string& path, Analyzer& analyzer) {
  char err[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, PcapCloser> pc(pcap_open_offline(path.c_str(), err));
  if (!pc) {
    return MakeError(Errc::kCorrupt, fmt::format("not a readable pcap or pcapng capture: {}", err),
                     path);
  }
  ReadSummary sum;
  sum.link_type = pcap_datalink(pc.get());
  sum.link_type_name = LinkTypeName(sum.link_type);
  if (!SupportedLinkType(sum.link_type)) {
    return MakeError(Errc::kUnsupported,
                     fmt::format("link type {} is not supported (Ethernet, Linux cooked SLL/SLL2, "
                                 "raw IP and loopback are)",
                                 sum.link_type_name),
                     path);
  }
  std::uint64_t number = 0;
  for (;;) {
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(pc.get(), &h, &data);
    if (rc == PCAP_ERROR_BREAK) break;  // end of file
    if (rc != 1) {
      // libpcap refuses truncated records and impossible lengths (caplen beyond its maximum).
      sum.stopped = MakeError(Errc::kCorrupt,
                              fmt::format("packet {}: {}; the {} packets before it were analysed",
                                          number + 1, pcap_geterr(pc.get()), number),
                              path, number + 1);
      break;
    }
    ++number;
    analyzer.CountFrame(h->len);
    const ByteView frame(data, h->caplen);
    auto p = DecodeFrame(sum.link_type, frame);
    if (!p) {
      analyzer.Malformed(number, p.error());
      continue;
    }
    analyzer.Add(number,
                 static_cast<std::uint64_t>(h->ts.tv_sec) * 1000000u +
                     static_cast<std::uint64_t>(h->ts.tv_usec),
                 *p);
  }
  return sum;
}

Status CaptureLive(const std::string& iface, int seconds, const std::string& out_path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, PcapCloser> pc(pcap_create(iface.c_str(), err));
  if (!pc) return MakeError(Errc::kIo, err, iface);
  pcap_set_snaplen(pc.get(), 262144);
  pcap_set_promisc(pc.get(), 0);
  pcap_set_timeout(pc.get(), 200);
  pcap_set_immediate_mode(pc.get(), 1);
  const int rc = pcap_activate(pc.get());
  if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED) {
    return MakeError(Errc::kIo,
                     "capturing needs privileges: run as root or give iotcop CAP_NET_RAW and "
                     "CAP_NET_ADMIN (setcap cap_net_raw,cap_net_admin=eip), or capture with "
                     "tcpdump and use --pcap",
                     iface);
  }
  if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
    return MakeError(Errc::kInvalidArgument, "no such interface", iface);
  if (rc < 0) return MakeError(Errc::kIo, pcap_geterr(pc.get()), iface);
  std::unique_ptr<pcap_dumper_t, DumperCloser> dump(pcap_dump_open(pc.get(), out_path.c_str()));
  if (!dump) return MakeError(Errc::kIo, pcap_geterr(pc.get()), out_path);
  // Non-blocking reads after poll(): a quiet interface must not hold the capture past its time.
  pcap_setnonblock(pc.get(), 1, err);
  const int fd = pcap_get_selectable_fd(pc.get());
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (fd >= 0 && poll(&p, 1, 100) <= 0) continue;
    const int n = pcap_dispatch(pc.get(), -1, pcap_dump, reinterpret_cast<u_char*>(dump.get()));
    if (n < 0) return MakeError(Errc::kIo, pcap_geterr(pc.get()), iface);
    if (fd < 0 && n == 0) usleep(50000);
  }
  pcap_dump_flush(dump.get());
  return Ok();
}

}  // namespace iotcop::traffic
