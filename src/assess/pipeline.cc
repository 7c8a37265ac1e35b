#include "assess/pipeline.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "core/build_info.h"
#include "core/check.h"
#include "core/hash.h"
#include "declaration/declaration.h"
#include "firmware/collector.h"
#include "network/assess.h"
#include "network/vulnerabilities.h"
#include "traffic/assess.h"
#include "unpack/coverage.h"
#include "unpack/engine.h"
#include "verdict/check_runner.h"
#include "verdict/verdict_engine.h"

namespace iotcop {
namespace fs = std::filesystem;

std::string NowUtc() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

// `net`: the live-device options, for --emulate (the provisions templates may name filled in).
void AssessFirmware(const std::string& input, std::size_t index, const AssessOptions& options,
                    const network::Options& net, Assessment& a, Progress& progress) {
  InputRecord rec{InputKind::kFirmware, input};
  std::error_code ec;
  if (!fs::exists(input, ec)) {
    rec.status = "failed";
    a.problems.push_back({"error", "input", input, "", std::nullopt, "no such file or folder"});
    a.inputs.push_back(rec);
    return;
  }
  progress.Set("unpacking", input);
  Result<unpack::Tree> tree = MakeError(Errc::kInternal, "unset");
  if (fs::is_directory(input, ec)) {
    tree = unpack::Tree::FromDirectory(input, fs::path(input).filename().string());
  } else {
    rec.size = fs::file_size(input, ec);
    if (auto h = Sha256File(input)) rec.sha256 = *h;
    unpack::UnpackOptions uo;
    uo.out_dir = options.work_dir / fmt::format("firmware-{}", index);
    auto r = unpack::UnpackImage(input, uo);
    if (r) {
      for (auto& p : r->problems) a.problems.push_back(std::move(p));
      nlohmann::json regions = nlohmann::json::array();
      for (const auto& u : r->unknown) {
        regions.push_back({{"container", u.container},
                           {"offset", u.offset},
                           {"size", u.size},
                           {"entropy", u.entropy},
                           {"note", u.note}});
      }
      a.extras["unpack"][input] = {{"roots", r->tree.roots().size()},
                                   {"entries", r->tree.entries().size()},
                                   {"bytes_written", r->bytes_written},
                                   {"unknown_regions", regions}};
      rec.coverage = unpack::CoverageOf(*r, r->input_size);
      tree = std::move(r->tree);
    } else {
      tree = r.error();
    }
  }
  if (!tree) {
    rec.status = "failed";
    a.problems.push_back({"error", "unpack", input, "", tree.error().offset, tree.error().what});
    a.inputs.push_back(rec);
    return;
  }
  if (!rec.coverage) {  // a folder: one file system, its files
    rec.coverage.emplace();
    rec.coverage->filesystems = 1;
    for (const auto& e : tree->entries()) rec.coverage->files += e.type == unpack::EntryType::kFile;
  }
  // An image that yields no file system is read only in part: every firmware verdict that needs
  // its files stays INCONCLUSIVE, and the reports say why (Coverage::Warning).
  if (!rec.coverage->extracted()) {
    rec.status = "partial";
    a.problems.push_back({"warning", "unpack", input, "", std::nullopt, rec.coverage->Warning()});
  }
  a.inputs.push_back(rec);
  progress.Set("collecting facts", input);
  firmware::FirmwareInput fin{*tree, input, &options.check_config};
  firmware::CollectFirmware(fin, a.facts, a.problems);
  if (options.emulate) {
    emulate::AssessEmulated(*tree, input, options.work_dir / fmt::format("emulate-{}", index), net,
                            options.emulation, a, progress);
  }
}

void AssessDeclaration(const std::string& input, Assessment& a) {
  InputRecord rec{InputKind::kDeclaration, input};
  if (auto h = Sha256File(input)) rec.sha256 = *h;
  auto d = declaration::Load(input);
  if (!d) {
    rec.status = "failed";
    a.problems.push_back({"error", "declaration", input, "", d.error().offset, d.error().what});
    a.inputs.push_back(rec);
    return;
  }
  if (!d->problems.empty()) rec.status = "partial";
  for (auto& p : d->problems) a.problems.push_back(std::move(p));
  a.inputs.push_back(rec);
  a.extras["declaration"] = d->ToJson();
  declaration::AddFacts(*d, a.facts);
}

}  // namespace

Assessment RunAssessment(const AssessOptions& options, const Catalogue& catalogue,
                         Progress& progress) {
  Assessment a;
  a.tool_version = build::kVersion;
  a.started_at = NowUtc();
  a.product = options.product;
  if (a.product.empty() && !options.firmware.empty())
    a.product = fs::path(options.firmware.front()).filename().string();
  if (a.product.empty() && !options.hosts.empty()) a.product = options.hosts.front();

  // The live probes (--host, and the firmware's own services under --emulate) validate the
  // provisions their templates name against the catalogue.
  network::Options net = options.network;
  if (const Standard* s = catalogue.Find(kDefaultStandard))
    for (const auto& item : s->items)
      if (item.IsProvision()) net.provisions.insert(item.id);
  for (std::size_t i = 0; i < options.firmware.size(); ++i)
    AssessFirmware(options.firmware[i], i, options, net, a, progress);
  if (!options.hosts.empty()) network::AssessHosts(options.hosts, net, a, progress);
  if (!options.hosts.empty() || options.emulate) {
    progress.Set("matching live services against the vulnerability database");
    network::MatchServiceVulnerabilities(options.check_config, a);
  }
  if (!options.network.intercept.mode.empty())
    network::RunInterception(options.network.intercept, a, progress);
  if (!options.pcaps.empty()) traffic::AssessCaptures(options.pcaps, options.traffic, a, progress);

  if (!options.declaration.empty()) AssessDeclaration(options.declaration, a);
  if (options.product.empty() && a.extras.contains("declaration")) {
    const std::string declared = a.extras["declaration"].value("product.name", "");
    if (!declared.empty()) a.product = declared;
  }

  progress.Set("running checks");
  RunChecks(BuiltinChecks(), options.check_config, a);
  progress.Set("deciding verdicts");
  if (Status st = DecideVerdicts(catalogue, options.standard, a); !st) {
    a.problems.push_back({"error", "verdicts", "", "", std::nullopt, st.error().Describe()});
  }
  a.finished_at = NowUtc();
  progress.Done();
  return a;
}

}  // namespace iotcop
