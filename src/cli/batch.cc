// File: cli/batch.cc
// iotcop batch: assess every image of a folder or list (and `host:` lines) with N worker
// processes, each `iotcop assess` itself (fork/exec: checks share static state, and a crashing
// image takes only its own process down). The parent alone writes the results store: it skips
// items whose content hash was already assessed under the same rules hash (resume), saves each
// finished run in one transaction, records a failed item with its error, and stops cleanly (the
// workers killed, one clear line) when the store fails: a full disk, a lost connection.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "assess/builtin_checks.h"
#include "assess/pipeline.h"
#include "cli/command.h"
#include "cli/common.h"
#include "cli/store_common.h"
#include "core/build_info.h"
#include "core/hash.h"
#include "core/progress.h"
#include "report/json_read.h"
#include "store/batch.h"
#include "store/fleet.h"
#include "vuln/vex.h"

namespace iotcop::cli {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct BatchArgs {
  std::string source, db, shard = "0/1", summary = "text", summary_out, work,
                          standard = "en303645-v2", vulndb, format = "text";
  std::vector<std::string> vex;
  std::vector<std::string> templates;  // --templates, for host: items
  unsigned jobs = 0;
  bool status = false;
};

struct Worker {
  std::size_t item = 0;
  fs::path dir;
  Clock::time_point started;
};

std::string LastLine(const fs::path& log) {
  std::ifstream in(log, std::ios::binary);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last.substr(0, 500);
}

std::string Duration(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60)
         : s >= 60 ? fmt::format("{}m{:02}s", s / 60, s % 60)
                   : fmt::format("{}s", s);
}

pid_t Launch(const std::string& self, const std::vector<std::string>& args, const fs::path& log) {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  // Child: die with the batch (a killed batch leaves no orphans writing reports).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || null < 0) ::_exit(126);
  ::dup2(null, 0);
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(self.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(self.c_str(), argv.data());
  ::_exit(127);
}

store::FleetRow RowOf(const store::RunSummary& s, const nlohmann::json& report) {
  store::FleetRow r;
  r.product = s.product;
  r.status = s.status;
  r.error = s.error;
  r.run_id = s.id;
  r.findings = s.findings;
  r.pass = s.pass;
  r.fail = s.fail;
  r.inconclusive = s.inconclusive;
  r.not_applicable = s.not_applicable;
  if (report.is_object() && report.contains("guidelines")) r.guidelines = report["guidelines"];
  store::ReadCoverage(report, r);
  return r;
}

// The progress line's flag for an image that yielded no file system (its verdicts rest on none).
std::string Flag(const store::FleetRow& r) {
  return r.coverage_warning.empty() ? "" : " — WARNING: " + r.coverage_warning;
}

// --status: the progress of every recorded batch (of `source` when given), from the store alone.
int PrintBatchStatus(const BatchArgs& args) {
  if (args.format != "text" && args.format != "json") {
    std::cerr << "iotcop batch: --format " << args.format << ": expected text or json\n";
    return kExitUsage;
  }
  auto db = OpenStoreOrReport("batch", args.db);
  if (!db) return kExitInput;
  auto batches = db->Batches(args.source.empty() ? "" : store::BatchSource(args.source));
  if (!batches) {
    std::cerr << "iotcop batch: results store: " << batches.error().Describe() << "\n";
    return kExitInput;
  }
  if (args.format == "json")
    std::cout << store::BatchStatusJson(*batches).dump(2) << "\n";
  else
    store::BatchStatusText(*batches, std::cout);
  return kExitOk;
}

int Run(BatchArgs& args) {
  if (args.status) return PrintBatchStatus(args);
  if (args.source.empty()) {
    std::cerr << "iotcop batch: a folder or list file is required (or --status)\n";
    return kExitUsage;
  }
  if (args.format != "text") {
    std::cerr << "iotcop batch: --format is for --status; the summary's is --summary\n";
    return kExitUsage;
  }
  auto shard = store::ParseShard(args.shard);
  if (!shard) {
    std::cerr << "iotcop batch: --shard " << shard.error().Describe() << "\n";
    return kExitUsage;
  }
  if (args.summary != "text" && args.summary != "csv" && args.summary != "html") {
    std::cerr << "iotcop batch: --summary " << args.summary << ": expected text, csv or html\n";
    return kExitUsage;
  }
  if (!DeclarationSchemaOrReport()) return kExitInput;  // before any worker would fail on it
  auto all = store::BatchItemsOf(args.source);
  if (!all) {
    std::cerr << "iotcop batch: " << all.error().Describe() << "\n";
    return kExitInput;
  }
  auto db = OpenStoreOrReport("batch", args.db);
  if (!db) return kExitInput;
  // A malformed VEX document stops the batch before any work, as it stops assess.
  for (const auto& file : args.vex) {
    if (auto doc = vuln::ReadVexFile(file); !doc) {
      std::cerr << "iotcop batch: --vex: " << doc.error().Describe() << "\n";
      return kExitInput;
    }
  }
  const std::string rules = store::RulesHash(args.vulndb, args.vex, args.templates);
  // The whole manifest (every shard's items) goes to the store first: --status then knows what
  // remains of shards that have not started yet.
  store::BatchManifest manifest{store::BatchSource(args.source), rules, NowUtc(), shard->count,
                                store::ShardOfEachItem(*all, shard->count)};
  auto batch = db->OpenBatch(manifest);
  const auto items = store::SelectShard(std::move(*all), *shard);
  if (!batch) {
    std::cerr << "iotcop batch: results store: " << batch.error().Describe()
              << "\niotcop batch: stopped after 0 of " << items.size()
              << " items; what was saved before is kept, rerun to resume\n";
    return kExitInput;
  }
  const unsigned jobs = args.jobs ? args.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::error_code ec;
  const std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) {
    std::cerr << "iotcop batch: cannot find its own executable: " << ec.message() << "\n";
    return kExitInput;
  }
  fs::path work = args.work;
  bool remove_work = false;
  if (work.empty()) {
    std::string tmpl = (fs::temp_directory_path(ec) / "iotcop-batch.XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      std::cerr << "iotcop batch: cannot create a work folder in " << fs::temp_directory_path(ec)
                << "\n";
      return kExitInput;
    }
    work = tmpl;
    remove_work = true;
  }
  fs::create_directories(work, ec);
  if (ec) {
    std::cerr << "iotcop batch: --work " << work.string() << ": " << ec.message() << "\n";
    return kExitInput;
  }

  std::vector<store::FleetRow> rows(items.size());
  std::vector<std::string> hashes(items.size());
  std::vector<std::size_t> todo;
  Progress progress;
  int done = 0, findings = 0, failed = 0;
  const auto total = items.size();
  auto line = [&](std::size_t i, const std::string& what) {
    progress.Done();  // on a terminal: clear the progress line first; it is drawn again after
    std::cout << fmt::format("[{}/{}] {} {}", done, total, items[i].name, what) << std::endl;
  };
  std::string store_error;
  auto save = [&](const store::RunRecord& rec) -> std::int64_t {
    auto id = db->Save(rec);
    if (!id) {
      store_error = id.error().Describe();
      return 0;
    }
    return *id;
  };
  auto record_error = [&](std::size_t i, const std::string& error) {
    store::RunRecord rec;
    rec.product = items[i].name;
    rec.started = rec.finished = NowUtc();
    rec.tool_version = build::kVersion;
    rec.rules_hash = rules;
    rec.input_hash = hashes[i];
    rec.status = "error";
    rec.error = error;
    rec.batch = *batch;
    rec.batch_item = items[i].key;
    auto& r = rows[i];
    r.input = items[i].target;
    r.product = items[i].name;
    r.outcome = "error";
    r.status = "error";
    r.error = error;
    r.run_id = save(rec);
    ++done;
    ++failed;
    line(i, "error: " + error);
  };

  // Resume: what is stored already under these rules is not assessed again.
  for (std::size_t i = 0; i < items.size() && store_error.empty(); ++i) {
    rows[i].input = items[i].target;
    rows[i].product = items[i].name;
    if (items[i].host) {
      hashes[i] = Sha256Hex(AsBytes("host:" + items[i].target));
      todo.push_back(i);
      continue;
    }
    auto h = Sha256File(items[i].target);
    if (!h) {
      hashes[i] = Sha256Hex(AsBytes("unreadable:" + items[i].target));
      record_error(i, h.error().Describe());
      continue;
    }
    hashes[i] = *h;
    auto prior = db->Completed(hashes[i], rules);
    if (!prior) {
      store_error = prior.error().Describe();
      break;
    }
    if (*prior) {
      auto s = db->Summary(**prior);
      if (!s) {
        store_error = s.error().Describe();
        break;
      }
      if (Status st = db->SettleBatchItem(*batch, items[i].key, **prior); !st) {
        store_error = st.error().Describe();
        break;
      }
      auto report = db->Report(**prior);
      rows[i] = RowOf(*s, report ? *report : nlohmann::json());
      rows[i].input = items[i].target;
      rows[i].outcome = "skipped";
      ++done;
      line(i, fmt::format("already stored as run {} ({} findings){}", s->id, s->findings,
                          Flag(rows[i])));
      continue;
    }
    todo.push_back(i);
  }

  std::map<pid_t, Worker> running;
  std::size_t next = 0;
  const auto t0 = Clock::now();
  double busy_seconds = 0;
  int assessed = 0;
  auto show = [&] {
    if (!progress.enabled()) return;
    std::string left = "?";
    const std::size_t remaining = todo.size() - static_cast<std::size_t>(assessed) - 0;
    if (assessed > 0)
      left = Duration(busy_seconds / assessed * static_cast<double>(remaining) / jobs);
    progress.Set("batch", fmt::format("{}/{} done, {} running, {} findings, ~{} left", done, total,
                                      running.size(), findings, left));
  };
  while (store_error.empty() && (next < todo.size() || !running.empty())) {
    while (store_error.empty() && next < todo.size() && running.size() < jobs) {
      const std::size_t i = todo[next++];
      const fs::path dir = work / fmt::format("item-{}-{}", ::getpid(), i);
      fs::remove_all(dir, ec);
      fs::create_directories(dir, ec);
      std::vector<std::string> a = {"assess",
                                    items[i].host ? "--host" : "--firmware",
                                    items[i].target,
                                    "--no-store",
                                    "-q",
                                    "--format",
                                    "json",
                                    "-o",
                                    (dir / "out").string(),
                                    "--product",
                                    items[i].name,
                                    "--standard",
                                    args.standard};
      if (!args.vulndb.empty()) a.insert(a.end(), {"--vulndb", args.vulndb});
      for (const auto& file : args.vex) a.insert(a.end(), {"--vex", file});
      if (items[i].host)
        for (const auto& dir : args.templates)
          a.insert(a.end(), {"--templates", fs::absolute(dir).string()});
      const pid_t pid = Launch(self, a, dir / "log");
      if (pid < 0) {
        record_error(i, std::string("cannot start a worker: ") + std::strerror(errno));
        continue;
      }
      running[pid] = Worker{i, dir, Clock::now()};
    }
    show();
    if (running.empty()) break;
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const Worker w = it->second;
    running.erase(it);
    const std::size_t i = w.item;
    const double seconds = std::chrono::duration<double>(Clock::now() - w.started).count();
    busy_seconds += seconds;
    ++assessed;
    std::ifstream in(w.dir / "out" / "report.json", std::ios::binary);
    nlohmann::json doc = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
    std::optional<Assessment> a;
    if (doc.is_object()) {
      auto parsed = report::AssessmentFromJson(doc, (w.dir / "out" / "report.json").string(),
                                               BuiltinChecks());
      if (parsed) a = std::move(*parsed);
    }
    if (!a) {
      std::string why = WIFSIGNALED(status)
                            ? fmt::format("worker killed by signal {} ({})", WTERMSIG(status),
                                          strsignal(WTERMSIG(status)))
                            : fmt::format("worker exited with {}", WEXITSTATUS(status));
      if (const std::string last = LastLine(w.dir / "log"); !last.empty()) why += ": " + last;
      record_error(i, why);
    } else {
      store::RunRecord rec = store::MakeRecord(*a, std::move(doc), "", rules);
      rec.input_hash = hashes[i];
      rec.batch = *batch;
      rec.batch_item = items[i].key;
      const std::int64_t id = save(rec);
      if (!store_error.empty()) break;
      store::FleetRow& r = rows[i];
      r = RowOf(store::RunSummary{id, rec.product, "", rec.started, rec.finished, rec.tool_version,
                                  rules, rec.input_hash, rec.status, rec.error,
                                  static_cast<int>(rec.findings.size())},
                rec.report);
      for (const auto& v : a->verdicts) {
        r.pass += v.verdict == Verdict::kPass;
        r.fail += v.verdict == Verdict::kFail;
        r.inconclusive += v.verdict == Verdict::kInconclusive;
        r.not_applicable += v.verdict == Verdict::kNotApplicable;
      }
      r.input = items[i].target;
      r.outcome = "assessed";
      findings += r.findings;
      failed += rec.status == "failed";
      ++done;
      line(i, fmt::format("{}: {} findings, {} FAIL, run {}, {:.1f}s{}{}", rec.status, r.findings,
                          r.fail, id, seconds, rec.error.empty() ? "" : " (" + rec.error + ")",
                          Flag(r)));
    }
    fs::remove_all(w.dir, ec);
  }
  progress.Done();
  if (!store_error.empty()) {
    for (const auto& [pid, w] : running) ::kill(pid, SIGKILL);
    for (const auto& [pid, w] : running) {
      ::waitpid(pid, nullptr, 0);
      fs::remove_all(w.dir, ec);
    }
    std::cerr << "iotcop batch: results store: " << store_error << "\niotcop batch: stopped after "
              << done << " of " << total
              << " items; what was saved before is kept, rerun to resume\n";
    return kExitInput;
  }
  if (remove_work) fs::remove_all(work, ec);

  std::ostringstream summary;
  if (args.summary == "csv")
    store::FleetCsv(rows, summary);
  else if (args.summary == "html")
    store::FleetHtml(rows, summary);
  else
    store::FleetText(rows, summary);
  if (args.summary_out.empty()) {
    std::cout << (args.summary == "text" ? "\n" : "") << summary.str();
  } else {
    std::ofstream out(args.summary_out, std::ios::binary);
    out << summary.str();
    out.close();
    if (!out) {
      std::cerr << "iotcop batch: --summary-out " << args.summary_out << ": cannot write\n";
      return kExitInput;
    }
    std::cout << "Summary: " << args.summary_out << "\n";
  }
  std::cout << fmt::format("{} items in {}, {} failed; results in {}\n", total,
                           Duration(std::chrono::duration<double>(Clock::now() - t0).count()),
                           failed, db->where());
  return failed ? kExitInput : kExitOk;
}

}  // namespace

void AddBatchCommand(CLI::App& app, CommandContext& ctx) {
  static BatchArgs args;
  auto* cmd = app.add_subcommand(
      "batch", "Assess many images (and hosts) in parallel into the results store");
  cmd->add_option("source", args.source,
                  "a folder of images, or a list file: one image path or host:ADDRESS a line "
                  "(with --status: only the batches of this source)");
  cmd->add_option("--jobs,-j", args.jobs, "worker processes (default: one per core)");
  cmd->add_option("--shard", args.shard,
                  "I/N: only the items k with k mod N == I (0-based) of the sorted list")
      ->capture_default_str();
  cmd->add_option("--db", args.db, kDbHelp);
  cmd->add_option("--summary", args.summary, "fleet summary format: text, csv or html")
      ->capture_default_str();
  cmd->add_option("--summary-out", args.summary_out,
                  "write the summary to this file instead of stdout");
  cmd->add_option("--standard", args.standard, "the standard of the verdicts (as for assess)")
      ->capture_default_str();
  cmd->add_option("--vulndb", args.vulndb,
                  "vulnerability database for every item (as for assess); its content is part of "
                  "what decides that an item is already stored");
  cmd->add_option("--vex", args.vex,
                  "VEX document applied to every item (as for assess; repeatable, later files "
                  "win); their content is part of what decides that an item is already stored")
      ->check(CLI::ExistingFile);
  cmd->add_option("--templates", args.templates,
                  "probe templates for every host: item (as for assess; repeatable); their "
                  "content is part of what decides that an item is already stored")
      ->check(CLI::ExistingPath);
  cmd->add_flag("--status", args.status,
                "assess nothing: print the progress of the batches recorded in --db, items "
                "stored, failed and remaining per shard (from the store alone: what every shard "
                "recorded when it started and what it has saved since)");
  cmd->add_option("--format", args.format, "with --status: text or json")->capture_default_str();
  cmd->add_option("--work", args.work,
                  "folder for the workers' reports and extracted files (default: a temporary one)");
  cmd->callback([&ctx] { ctx.run = [] { return Run(args); }; });
}

}  // namespace iotcop::cli
