// fw.binaries.hardening: executables and libraries built without the exploit mitigations every
// current toolchain offers (NX stack, stack canaries, RELRO, PIE, FORTIFY) or with a run-time
// search path an attacker can write. One finding per missing property, listing the binaries,
// with the totals table in the message: a whole firmware built without canaries is one issue.
#include <fmt/format.h>

#include <functional>

#include "core/check.h"
#include "core/fact_kinds.h"
#include "firmware/listing.h"

namespace iotcop {
namespace {

struct Property {
  const char* key;      // fingerprint key
  const char* name;     // for people
  const char* lacking;  // what a binary without it has
  Severity severity;
  bool executables_only;  // PIE applies to programs, not to libraries
  std::function<bool(const nlohmann::json&)> has;
};

bool IsExecutable(const nlohmann::json& v) {
  const std::string t = v.value("type", "");
  return t == "exec" || t == "pie";
}

// A search path entry that lets whoever can write there inject a library: relative, empty,
// $ORIGIN-relative into writable places, or world-writable folders.
bool UnsafeSearchPath(const nlohmann::json& v) {
  for (const char* key : {"rpath", "runpath"}) {
    for (const auto& p : v.value(key, nlohmann::json::array())) {
      const std::string s = p.get<std::string>();
      std::size_t start = 0;
      while (start <= s.size()) {
        std::size_t end = s.find(':', start);
        if (end == std::string::npos) end = s.size();
        const std::string part = s.substr(start, end - start);
        if (part.empty() || part[0] == '.' || part.starts_with("/tmp") ||
            part.starts_with("/var/tmp") || part.starts_with("/mnt") ||
            part.starts_with("/media") || part.starts_with("/home")) {
          return true;
        }
        start = end + 1;
      }
    }
  }
  return false;
}

class BinaryHardeningCheck : public Check {
 public:
  const CheckDoc& doc() const override { return doc_; }

  Status Run(CheckContext& ctx) const override {
    const auto binaries = ctx.facts().OfKind(facts::kBinary);
    if (binaries.empty()) return Ok();
    const std::vector<Property> props = {
        {"nx", "non-executable stack (NX)", "an executable stack", Severity::kMedium, false,
         [](const nlohmann::json& v) { return v.value("nx", false); }},
        {"canary", "stack canaries", "no stack canary", Severity::kLow, false,
         [](const nlohmann::json& v) { return v.value("canary", false); }},
        {"relro", "RELRO", "no RELRO", Severity::kLow, false,
         [](const nlohmann::json& v) {
           return v.value("static", false) || v.value("relro", "none") != "none";
         }},
        {"pie", "position-independent executables (PIE/ASLR)", "no PIE", Severity::kLow, true,
         [](const nlohmann::json& v) { return v.value("pie", false); }},
        {"fortify", "FORTIFY_SOURCE", "no fortified functions", Severity::kInfo, false,
         [](const nlohmann::json& v) { return v.value("fortify", false); }},
        {"search-path", "safe library search paths", "a writable or relative RPATH/RUNPATH",
         Severity::kMedium, false, [](const nlohmann::json& v) { return !UnsafeSearchPath(v); }},
    };
    // Totals table, shared by every finding's message.
    std::vector<std::vector<const Fact*>> lacking(props.size());
    std::vector<std::size_t> applicable(props.size(), 0);
    for (const Fact* f : binaries) {
      for (std::size_t i = 0; i < props.size(); ++i) {
        if (props[i].executables_only && !IsExecutable(f->value)) continue;
        ++applicable[i];
        if (!props[i].has(f->value)) lacking[i].push_back(f);
      }
    }
    std::string table =
        fmt::format("{} ELF files ({} executables). Totals:", binaries.size(), applicable[3]);
    for (std::size_t i = 0; i < props.size(); ++i) {
      table += fmt::format(" {} {}/{} lack it;", props[i].key, lacking[i].size(), applicable[i]);
    }
    std::vector<FactId> all;
    for (const Fact* f : binaries) all.push_back(f->id);
    bool any = false;
    for (std::size_t i = 0; i < props.size(); ++i) {
      if (lacking[i].empty()) continue;
      any = true;
      Finding fd;
      std::vector<std::string> paths;
      for (const Fact* f : lacking[i]) {
        paths.push_back(f->value.value("path", ""));
        fd.facts.push_back(f->id);
        if (fd.evidence.size() < 20) fd.evidence.push_back(f->evidence);
      }
      fd.title = fmt::format("{} of {} binaries have {}", lacking[i].size(), applicable[i],
                             props[i].lacking);
      fd.message = fmt::format("Built without {}: {}. {}", props[i].name,
                               firmware::JoinBounded(paths), table);
      fd.severity = props[i].severity;
      ctx.Report(std::move(fd), std::string("property:") + props[i].key);
    }
    if (!any) {
      ctx.Inconclusive("5.6-6",
                       "every binary has the usual exploit mitigations (" + table +
                           "); mitigations alone do not show the code is minimised",
                       all);
    }
    return Ok();
  }

 private:
  CheckDoc doc_{
      "fw.binaries.hardening",
      "Binaries built without exploit mitigations",
      {},
      {InputKind::kFirmware},
      {facts::kBinary},
      "Non-executable stacks, stack canaries, RELRO, PIE and FORTIFY_SOURCE turn many memory "
      "corruption bugs from remote code execution into a crash; they cost nothing at build time "
      "and are missing in much IoT firmware. A writable or relative RPATH lets a local attacker "
      "load their own library into a privileged program. These findings inform 5.6-6 and never "
      "fail it: missing mitigations do not show that the software is not minimised.",
      "Build every program and library with -fstack-protector-strong, -D_FORTIFY_SOURCE=2, "
      "-fPIE -pie, -Wl,-z,relro,-z,now and -Wl,-z,noexecstack; remove RPATH/RUNPATH entries "
      "that point at relative or writable folders.",
      Severity::kLow,
      false,
      {"5.6-6"}};
};

}  // namespace

std::unique_ptr<const Check> MakeBinaryHardeningCheck() {
  return std::make_unique<BinaryHardeningCheck>();
}

}  // namespace iotcop
