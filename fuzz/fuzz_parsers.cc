// libFuzzer targets for the parsers that are not unpacking handlers, one binary each
// (fuzz_<name>), selected at compile time by IOTCOP_FUZZ_PARSER. Every parser of untrusted input
// must return or report an error for any bytes: never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "assess/builtin_checks.h"
#include "core/bytes.h"
#include "core/elf.h"
#include "credentials/keys.h"
#include "declaration/declaration.h"
#include "declaration/schema.h"
#include "firmware/image_trailers.h"
#include "firmware/taint/taint.h"
#include "network/http.h"
#include "network/login/http_auth.h"
#include "network/probes.h"
#include "network/robustness_payloads.h"
#include "network/ssh.h"
#include "network/templates.h"
#include "network/udp/mdns.h"
#include "protocols/coap.h"
#include "protocols/dns.h"
#include "protocols/http.h"
#include "protocols/mqtt.h"
#include "protocols/securitytxt.h"
#include "protocols/snmp.h"
#include "protocols/ssh.h"
#include "protocols/telnet.h"
#include "protocols/tls.h"
#include "report/json_read.h"
#include "store/batch.h"
#include "traffic/analyzer.h"
#include "traffic/capture.h"
#include "traffic/parsers.h"
#include "vuln/cvss.h"
#include "vuln/priority.h"
#include "vuln/update.h"
#include "vuln/vex.h"
#include "vuln/vulndb.h"

#include <sys/mman.h>
#include <unistd.h>

// The declaration parser reads the schema (schema/declaration.yaml of the data folder: the build
// tree's share/iotcop beside bin/, or $IOTCOP_DATA). Without it every key would be "unknown" and
// the target would fuzz nothing, so a missing or broken schema stops it before the first input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (std::string_view(IOTCOP_FUZZ_PARSER) == "declaration") {
    if (const auto& schema = iotcop::declaration::BuiltinSchema(); !schema) {
      std::fprintf(stderr, "fuzz_declaration: %s\n", schema.error().Describe().c_str());
      std::abort();
    }
  }
  return 0;
}

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
    namespace p = iotcop::protocols;
    const std::uint16_t port = size ? static_cast<std::uint16_t>(data[0]) * 7 : 0;
    (void)t::FindCredentials(text, text, port);
    (void)t::FindCredentials(text, "220 x\r\n", 21);
    (void)t::FindCredentials(text, "+OK\r\n", 110);
    (void)t::FindCredentials(text, "* OK\r\n", 143);
    (void)t::FindCredentials(text, "login: Password: ", 23);
    (void)t::ParseHttpRequests(text);
    (void)t::ParseHttpResponses(text);
    (void)p::ParseMqtt(text);
    p::TlsInfo tls;
    p::ParseTlsClient(text, tls);
    p::ParseTlsServer(text, tls);
    (void)p::ParseDnsResponse(iotcop::ByteView(data, size));
    (void)p::ParseCoap(iotcop::ByteView(data, size));
    (void)t::FindPersonalData(text);
    for (int dlt : {0, 1, 12, 113, 276, 228, 229})
      (void)t::DecodeFrame(dlt, iotcop::ByteView(data, size));
  } else if (parser.starts_with("taint_")) {
    // A web handler's script: parsed, then the taint engine over what parsed.
    namespace t = iotcop::firmware::taint;
    const t::Lang lang = parser == "taint_shell" ? t::Lang::kShell
                         : parser == "taint_lua" ? t::Lang::kLua
                                                 : t::Lang::kPhp;
    if (auto p = t::Parse(lang, text, "fuzz")) (void)t::FindInjections(*p, text);
  } else if (parser == "keys") {
    (void)iotcop::credentials::FindPrivateKeys(text);
    (void)iotcop::credentials::FindCertificates(text);
  } else if (parser == "trailers") {
    (void)iotcop::firmware::ParseImageTrailers(iotcop::ByteView(data, size), "fuzz.bin");
  } else if (parser == "vulnfeed") {
    (void)iotcop::vuln::ParseFeed(text, "fuzz.json", nullptr);
    (void)iotcop::vuln::CvssV3BaseScore(text);
  } else if (parser == "vulnupdate") {
    // What `vulndb update` reads from a server: an NVD API page's envelope and its records, and
    // an OSV export's zip members, each parsed as a feed.
    (void)iotcop::vuln::ParseNvdPage(text, "fuzz.json");
    (void)iotcop::vuln::ParseFeed(text, "fuzz.json", nullptr);
    std::vector<std::string> problems;
    (void)iotcop::vuln::ForEachZipMember(
        iotcop::ByteView(data, size), "fuzz.zip", 1 << 20,
        [](std::string_view, std::string_view member) {
          (void)iotcop::vuln::ParseFeed(member, "fuzz.zip#member", nullptr);
        },
        &problems);
    // The priority lists: the CISA KEV JSON and the EPSS CSV, gzipped or not.
    (void)iotcop::vuln::ParseKev(text, "fuzz.json", &problems);
    (void)iotcop::vuln::ParseEpssCsv(text, "fuzz.csv", &problems);
    if (auto csv = iotcop::vuln::GunzipBounded(iotcop::ByteView(data, size), "fuzz.gz", 1 << 20))
      (void)iotcop::vuln::ParseEpssCsv(*csv, "fuzz.gz", &problems);
  } else if (parser == "vex") {
    // OpenVEX, CycloneDX VEX and CSAF VEX documents given with assess --vex.
    (void)iotcop::vuln::ParseVex(text, "fuzz.json");
  } else if (parser == "batchlist") {
    (void)iotcop::store::ParseBatchList(text, "fuzz.list", "/fuzz");
  } else if (parser == "storedreport") {
    // A stored run's report, read back by show and diff (the database may have been edited).
    auto doc = nlohmann::json::parse(text, nullptr, false);
    (void)iotcop::report::AssessmentFromJson(doc, "fuzz.json", iotcop::BuiltinChecks());
  } else if (parser == "probes") {
    // A device's answer read against every probe of rules/probes.yaml.
    if (const auto& probes = iotcop::network::BuiltinProbes(); probes) {
      for (const auto& p : *probes) (void)iotcop::network::MatchProbe(p, text);
    }
  } else if (parser == "templates") {
    // A probe-template file (rules/templates/, --templates) as the loader validates it, then the
    // same bytes as a device's answer read by every template that loaded and by the redaction.
    iotcop::network::TemplateSet set;
    iotcop::network::ParseTemplates(text, "fuzz.yaml", {"5.5-5", "5.6-2"}, set);
    const iotcop::network::TemplateAnswer answer{200, std::string(text.substr(0, 512)),
                                                 std::string(text)};
    for (const auto& t : set.templates) (void)iotcop::network::MatchTemplate(t, answer);
    for (const auto& p : set.problems) (void)p.Describe();
    (void)iotcop::network::RedactSecrets(text);
  } else if (parser == "ssh") {
    if (auto id = iotcop::protocols::ParseSshIdent(text, "fuzz")) {
      if (auto k = iotcop::protocols::ParseKexinitPacket(text.substr(id->second), "fuzz"))
        (void)iotcop::network::JudgeSshAlgorithms(*k);
    }
    (void)iotcop::protocols::ParseKexinitPacket(text, "fuzz");
    (void)iotcop::protocols::ParseSshHostKeyBlob(text, "fuzz");
  } else if (parser == "http") {
    // protocols/http.h as the probes read a response, as a request with the defaults, and as a
    // capture's stream of responses (where a message must end where the next one starts).
    namespace p = iotcop::protocols;
    (void)iotcop::network::ParseHttpResponse(text, "fuzz");
    (void)p::ParseHttpMessage(text, "fuzz", {}, p::HttpKind::kRequest);
    if (p::HttpHeadEnd(text) > size) __builtin_trap();
    p::HttpSyntax lenient;
    lenient.lenient = true;
    lenient.max_body = 64;
    std::size_t at = 0;
    for (const auto& m : p::ParseHttpStream(text, p::HttpKind::kResponse, lenient, 64)) {
      if (m.offset != at || m.end <= m.offset || m.end > size || m.body.size() > 64)
        __builtin_trap();
      at = m.end;
    }
  } else if (parser == "snmp") {
    (void)iotcop::protocols::SnmpSysDescr(text);
  } else if (parser == "mdns") {
    (void)iotcop::network::ParseMdnsAnswer(text);
  } else if (parser == "http_auth") {
    // An HTTP or RTSP answer: head, completeness, every challenge and a digest answer to each.
    namespace login = iotcop::network::login;
    (void)login::ResponseComplete(text);
    auto head = iotcop::protocols::ParseHttpHead(text, "fuzz");
    if (head) {
      for (const auto& v : head->All("www-authenticate"))
        for (const auto& c : iotcop::protocols::ParseChallenges(v))
          (void)login::DigestAuthorization(c, "admin", "admin", "GET", "/");
    }
    for (const auto& c : iotcop::protocols::ParseChallenges(text))
      (void)login::DigestAuthorization(c, "root", "", "DESCRIBE", "rtsp://h/");
  } else if (parser == "telnet") {
    auto d = iotcop::protocols::DecodeTelnet(text);
    if (d.used > size) __builtin_trap();
  } else if (parser == "robustness_payload") {
    (void)iotcop::network::ExpandPayload(text, "127.0.0.1", "iotcop00000000", "fuzz");
  }
  return 0;
}
