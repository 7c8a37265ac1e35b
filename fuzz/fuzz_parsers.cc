// libFuzzer targets for the parsers that are not unpacking handlers, one binary each
// (fuzz_<name>), selected at compile time by IOTCOP_FUZZ_PARSER. Every parser of untrusted input
// must return or report an error for any bytes: never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/elf.h"
#include "declaration/declaration.h"
#include "declaration/securitytxt.h"
#include "firmware/keyparse.h"
#include "traffic/analyzer.h"
#include "traffic/capture.h"
#include "traffic/parsers.h"

#include <sys/mman.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string_view parser = IOTCOP_FUZZ_PARSER;
  if (parser == "securitytxt") {
    iotcop::securitytxt::Options o;
    o.now = 1767225600;
    (void)iotcop::securitytxt::Validate(text, o);
  } else if (parser == "declaration") {
    auto d = iotcop::declaration::Parse(std::string(text), "fuzz.yaml");
    if (d) {
      iotcop::FactStore facts;
      iotcop::declaration::AddFacts(*d, facts);
    }
  } else if (parser == "elf") {
    (void)iotcop::elf::Parse(iotcop::ByteView(data, size), "fuzz.elf");
  } else if (parser == "traffic_capture") {
    // The bytes as a capture file (pcap or pcapng), read and analysed like --pcap.
    const int fd = memfd_create("fuzz.pcap", 0);
    if (fd < 0 || write(fd, data, size) != static_cast<ssize_t>(size)) {
      if (fd >= 0) close(fd);
      return 0;
    }
    iotcop::FactStore facts;
    std::vector<iotcop::Problem> problems;
    iotcop::traffic::Options options;
    iotcop::traffic::Analyzer analyzer("fuzz.pcap", options, facts, problems);
    if (iotcop::traffic::ReadCapture("/proc/self/fd/" + std::to_string(fd), analyzer))
      analyzer.Finish();
    close(fd);
  } else if (parser == "traffic_protocols") {
    // Every protocol parser on the same bytes, as a client stream, a server stream and a datagram.
    namespace t = iotcop::traffic;
    const std::uint16_t port = size ? static_cast<std::uint16_t>(data[0]) * 7 : 0;
    (void)t::FindCredentials(text, text, port);
    (void)t::FindCredentials(text, "220 x\r\n", 21);
    (void)t::FindCredentials(text, "+OK\r\n", 110);
    (void)t::FindCredentials(text, "* OK\r\n", 143);
    (void)t::FindCredentials(text, "login: Password: ", 23);
    (void)t::ParseHttpResponses(text);
    (void)t::ParseMqtt(text);
    t::TlsInfo tls;
    t::ParseTlsClient(text, tls);
    t::ParseTlsServer(text, tls);
    (void)t::ParseDnsResponse(iotcop::ByteView(data, size));
    (void)t::ParseCoap(iotcop::ByteView(data, size));
    (void)t::FindPersonalData(text);
    for (int dlt : {0, 1, 12, 113, 276, 228, 229})
      (void)t::DecodeFrame(dlt, iotcop::ByteView(data, size));
  } else if (parser == "keys") {
    (void)iotcop::firmware::FindPrivateKeys(text);
    (void)iotcop::firmware::FindCertificates(text);
  }
  return 0;
}
