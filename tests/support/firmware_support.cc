#include "support/firmware_support.h"
#include "assess/builtin_checks.h"

#include <stdexcept>

#include "firmware/collector.h"
#include "support/test_support.h"

namespace iotcop::test {

FactStore Collect(const unpack::Tree& tree, const std::vector<std::string>& names,
                  std::vector<Problem>* problems, const CheckConfig* config) {
  firmware::FirmwareInput in{tree, "fixture", config};
  FactStore facts;
  std::vector<Problem> local;
  for (const auto& name : names) {
    bool found = false;
    for (const auto& c : firmware::BuiltinCollectors()) {
      if (c->doc().name != name) continue;
      c->Collect(in, facts, problems ? *problems : local);
      found = true;
    }
    if (!found) throw std::runtime_error("no collector named " + name);
  }
  return facts;
}

CheckResult RunCheck(const std::string& id, const FactStore& facts, const CheckConfig& config) {
  for (const auto& c : BuiltinChecks()) {
    if (c->doc().id != id) continue;
    CheckContext ctx(c->doc(), facts, config);
    CheckResult r;
    Status st = c->Run(ctx);
    r.ok = st.ok();
    if (!st) r.error = st.error().Describe();
    r.findings = std::move(ctx.findings());
    r.outcomes = std::move(ctx.outcomes());
    return r;
  }
  throw std::runtime_error("no check with id " + id);
}

unpack::Tree TreeOf(const std::filesystem::path& dir) {
  auto t = unpack::Tree::FromDirectory(dir);
  if (!t) throw std::runtime_error(t.error().Describe());
  return std::move(t).value();
}

std::vector<const Fact*> FactsWhere(const FactStore& facts, const std::string& kind,
                                    const std::string& field, const std::string& value) {
  std::vector<const Fact*> out;
  for (const Fact* f : facts.OfKind(kind)) {
    if (f->value.contains(field) && f->value[field].is_string() &&
        f->value[field].get<std::string>() == value) {
      out.push_back(f);
    }
  }
  return out;
}

}  // namespace iotcop::test

namespace iotcop::test {

std::filesystem::path ExtractCorpus15(const std::filesystem::path& into, std::string& why) {
  const auto corpus = CorpusDir();
  if (corpus.empty()) {
    why = "corpus absent (../shared/corpus)";
    return {};
  }
  const auto image = corpus / "15_dlink-dcs-ipcam_extracted-rootfs.tar.gz";
  if (!std::filesystem::exists(image)) {
    why = "corpus image 15 absent";
    return {};
  }
  if (!HaveTool("tar")) {
    why = "tar not installed";
    return {};
  }
  auto r = RunShell("tar -xzf '" + image.string() + "' -C '" + into.string() + "' 2>&1");
  if (r.exit_code != 0) {
    why = "tar failed: " + r.out;
    return {};
  }
  return into / "cpio-root";
}

}  // namespace iotcop::test
