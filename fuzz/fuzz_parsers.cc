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
#include "network/login/http_auth.h"
#include "network/login/telnet.h"
#include "network/robustness_payloads.h"

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
  } else if (parser == "keys") {
    (void)iotcop::firmware::FindPrivateKeys(text);
    (void)iotcop::firmware::FindCertificates(text);
  } else if (parser == "http_auth") {
    // An HTTP or RTSP answer: head, completeness, every challenge and a digest answer to each.
    namespace login = iotcop::network::login;
    (void)login::ResponseComplete(text);
    auto head = login::ParseResponseHead(text, "fuzz");
    if (head) {
      for (const auto& v : head->All("www-authenticate"))
        for (const auto& c : login::ParseChallenges(v))
          (void)login::DigestAuthorization(c, "admin", "admin", "GET", "/");
    }
    for (const auto& c : login::ParseChallenges(text))
      (void)login::DigestAuthorization(c, "root", "", "DESCRIBE", "rtsp://h/");
  } else if (parser == "telnet") {
    auto d = iotcop::network::login::DecodeTelnet(text);
    if (d.used > size) __builtin_trap();
  } else if (parser == "robustness_payload") {
    (void)iotcop::network::ExpandPayload(text, "127.0.0.1", "iotcop00000000", "fuzz");
  }
  return 0;
}
