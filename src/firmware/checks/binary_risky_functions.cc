// fw.binaries.risky-functions: programs that import libc functions with no bound on what they
// write or that run shell command lines (strcpy, sprintf, gets, system, popen...). Their use is
// where input-validation bugs in firmware usually turn into overflows and command injection.
#include <fmt/format.h>

#include <map>

#include "core/check.h"
#include "core/fact_kinds.h"
#include "firmware/listing.h"

namespace iotcop {
namespace {

class BinaryRiskyFunctionsCheck : public Check {
 public:
  const CheckDoc& doc() const override { return doc_; }

  Status Run(CheckContext& ctx) const override {
    const auto binaries = ctx.facts().OfKind(facts::kBinary);
    if (binaries.empty()) return Ok();
    std::map<std::string, std::size_t> per_function;
    std::vector<std::string> users;
    Finding fd;
    bool gets = false;
    for (const Fact* f : binaries) {
      const auto& risky = f->value.value("risky", nlohmann::json::array());
      if (risky.empty()) continue;
      std::string names;
      for (const auto& r : risky) {
        const std::string n = r.get<std::string>();
        ++per_function[n];
        if (n == "gets") gets = true;
        names += (names.empty() ? "" : " ") + n;
      }
      users.push_back(f->value.value("path", "") + " (" + names + ")");
      fd.facts.push_back(f->id);
      if (fd.evidence.size() < 20) {
        Evidence ev = f->evidence;
        ev.excerpt = BoundExcerpt("imports " + names);
        fd.evidence.push_back(std::move(ev));
      }
    }
    if (users.empty()) {
      ctx.Inconclusive("5.13-1",
                       fmt::format("none of {} binaries imports a risky libc function; that "
                                   "alone does not show input is validated",
                                   binaries.size()));
      return Ok();
    }
    std::string counts;
    for (const auto& [n, c] : per_function) counts += fmt::format(" {} {};", n, c);
    fd.title =
        fmt::format("{} of {} binaries import risky functions", users.size(), binaries.size());
    fd.message = fmt::format(
        "Unbounded string functions and shell command execution are imported by: {}. Binaries "
        "per function:{}{}",
        firmware::JoinBounded(users), counts, gets ? " gets() cannot be used safely at all." : "");
    fd.severity = gets ? Severity::kMedium : Severity::kLow;
    ctx.Report(std::move(fd), "risky-imports");
    return Ok();
  }

 private:
  CheckDoc doc_{
      "fw.binaries.risky-functions",
      "Binaries importing risky libc functions",
      {},
      {InputKind::kFirmware},
      {facts::kBinary},
      "strcpy, strcat, sprintf, gets and the scanf family write without a bound, and system, "
      "popen and execl run command lines: with unvalidated input from the network they give "
      "buffer overflows and command injection, the most common IoT firmware vulnerabilities. An "
      "import "
      "only informs 5.13-1: it does not show that any input reaches it unvalidated.",
      "Validate input at every interface; replace unbounded calls by bounded ones (snprintf, "
      "strlcpy) and shell command lines by execve with a fixed argument vector.",
      Severity::kLow,
      false,
      {"5.13-1"}};
};

}  // namespace

std::unique_ptr<const Check> MakeBinaryRiskyFunctionsCheck() {
  return std::make_unique<BinaryRiskyFunctionsCheck>();
}

}  // namespace iotcop
