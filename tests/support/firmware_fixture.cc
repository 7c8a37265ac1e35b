#include "support/firmware_fixture.h"
#include "assess/builtin_checks.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/check.h"
#include "firmware/collector.h"
#include "support/test_support.h"
#include "unpack/tree.h"
#include "verdict/check_runner.h"

namespace iotcop::test {
namespace fs = std::filesystem;

std::vector<const Finding*> FirmwareRun::Findings(std::string_view check_id) const {
  std::vector<const Finding*> out;
  for (const auto& f : a.findings) {
    if (f.check_id == check_id) out.push_back(&f);
  }
  return out;
}

std::vector<const Fact*> FirmwareRun::Facts(std::string_view kind) const {
  return a.facts.OfKind(kind);
}

const Fact* FirmwareRun::FactWhere(std::string_view kind, const std::string& field,
                                   const std::string& value) const {
  for (const Fact* f : a.facts.OfKind(kind)) {
    if (auto v = f->value.find(field); v != f->value.end() && v->is_string() && *v == value)
      return f;
  }
  return nullptr;
}

const Outcome* FirmwareRun::OutcomeOf(std::string_view check_id, std::string_view provision) const {
  for (const auto& o : a.outcomes) {
    if (o.check_id == check_id && o.provision == provision) return &o;
  }
  return nullptr;
}

std::string FirmwareRun::AllText() const {
  std::string out;
  for (const auto& f : a.facts.all()) {
    out += f.value.dump() + "\n" + f.evidence.excerpt + "\n";
  }
  for (const auto& f : a.findings) {
    out += f.title + "\n" + f.message + "\n";
    for (const auto& e : f.evidence) out += e.excerpt + "\n";
  }
  return out;
}

FirmwareRun AssessTree(const unpack::Tree& tree, const CheckConfig& config) {
  FirmwareRun run;
  run.a.inputs.push_back({InputKind::kFirmware, "fw.bin"});
  firmware::FirmwareInput in{tree, "fw.bin", &config};
  firmware::CollectFirmware(in, run.a.facts, run.a.problems);
  RunChecks(BuiltinChecks(), config, run.a);
  for (const auto& p : run.a.problems) {
    EXPECT_NE(p.level, "error") << p.stage << ": " << p.message;
  }
  return run;
}

FirmwareRun AssessFolder(const fs::path& dir, const CheckConfig& config) {
  auto tree = unpack::Tree::FromDirectory(dir, "fw");
  EXPECT_TRUE(tree) << (tree ? "" : tree.error().Describe());
  if (!tree) return {};
  return AssessTree(*tree, config);
}

void WriteMode(const fs::path& dir, const std::string& rel, const std::string& content,
               fs::perms mode) {
  WriteFile(dir / rel, content);
  fs::permissions(dir / rel, mode);
}

void WriteScript(const fs::path& dir, const std::string& rel, const std::string& content) {
  WriteMode(dir, rel, content, kScriptMode);
}

void Symlink(const fs::path& dir, const std::string& rel, const std::string& target) {
  fs::create_directories((dir / rel).parent_path());
  fs::create_symlink(target, dir / rel);
}

std::string MustRun(const std::string& command) {
  CommandResult r = RunShell(command);
  EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.err;
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  return r.out;
}

}  // namespace iotcop::test
