// deploy/slurm-batch.sh run for real, as docs/batch.md tells a user: a single-node Slurm cluster of
// the test's own (Debian's slurmctld, slurmd and munge, started here with a generated slurm.conf,
// its own munge key and socket, state, spool and logs in the test's folder, in the test's private
// network namespace), `sbatch --array=0-3` over a folder of images into a PostgreSQL store started
// by the test. Checks that every image is stored once, that a task cancelled midway (scancel of one
// array task) is completed by resubmitting it alone, that `iotcop batch --status` follows it all
// from the store, and that the fleet summary afterwards assesses nothing again.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/netns.h"
#include "support/store_fixture.h"
#include "support/test_support.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using test::Q;
using test::RunShell;

// A single-node cluster; the destructor cancels every job and stops the daemons (their process
// groups) also when the test fails.
class SlurmCluster {
 public:
  SlurmCluster() = default;
  SlurmCluster(const SlurmCluster&) = delete;
  SlurmCluster& operator=(const SlurmCluster&) = delete;
  ~SlurmCluster() { Stop(); }

  // "" when the cluster is up with its node idle, else why not (the caller skips).
  std::string Start(const fs::path& dir) {
    for (const char* tool : {"munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "ip"})
      if (!test::HaveTool(tool))
        return std::string(tool) +
               " is not installed: the Slurm test needs Debian's slurmctld, slurmd, slurm-client "
               "and munge (scripts/install-deps.sh --test)";
    if (::geteuid() != 0) return "the Slurm test runs its daemons as root";
    // TCP on 127.0.0.1 only, in a namespace of the test's own: no port of the host is touched.
    if (std::string why = test::EnterPrivateNetwork(); !why.empty()) return why;
    // Slurm resolves addresses with AI_ADDRCONFIG, which glibc answers with nothing while
    // 127.0.0.1 is the only IPv4 address: a second loopback address makes it resolve.
    RunShell("ip addr add 127.0.0.2/8 dev lo 2>/dev/null");
    dir_ = dir;
    for (const char* sub : {"munge", "state", "spool", "log"}) fs::create_directories(dir / sub);
    fs::permissions(dir / "munge", fs::perms::owner_all);
    {
      std::random_device rd;
      std::string key(1024, '\0');
      for (auto& c : key) c = static_cast<char>(rd());
      test::WriteFile(dir / "munge/munge.key", key);
      fs::permissions(dir / "munge/munge.key", fs::perms::owner_read | fs::perms::owner_write);
    }
    const fs::path sock = dir / "munge/munge.sock";
    if (std::string why = munged_.Start(
            {"munged", "-F", "--force", "--key-file=" + (dir / "munge/munge.key").string(),
             "--socket=" + sock.string(), "--pid-file=" + (dir / "munge/munged.pid").string(),
             "--log-file=" + (dir / "log/munged.log").string(),
             "--seed-file=" + (dir / "munge/seed").string()},
            (dir / "log/munged.out").string());
        !why.empty())
      return why;
    if (!WaitFor([&] { return fs::exists(sock); }, std::chrono::seconds(10)))
      return "munged did not start: " + munged_.Log();

    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    host_ = host;
    long mem_mb = 1024;
    {
      std::ifstream in("/proc/meminfo");
      std::string key;
      long kb = 0;
      if (in >> key >> kb && key == "MemTotal:") mem_mb = kb / 1024 * 9 / 10;
    }
    conf_ = dir / "slurm.conf";
    const std::string d = dir.string();
    test::WriteFile(
        conf_,
        "ClusterName=iotcoptest\n"
        "SlurmctldHost=" +
            host_ +
            "(127.0.0.1)\n"
            "SlurmctldPort=6817\nSlurmdPort=6818\n"
            "SlurmUser=root\nSlurmdUser=root\n"
            "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" +
            sock.string() + "\nStateSaveLocation=" + d + "/state\nSlurmdSpoolDir=" + d +
            "/spool\nSlurmctldPidFile=" + d + "/slurmctld.pid\nSlurmdPidFile=" + d +
            "/slurmd.pid\nSlurmctldLogFile=" + d + "/log/slurmctld.log\nSlurmdLogFile=" + d +
            "/log/slurmd.log\n"
            // No cgroups, no accounting daemon: what a container or a CI machine has.
            "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
            "JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n"
            "MpiDefault=none\nSwitchType=switch/none\n"
            "SchedulerType=sched/builtin\nSelectType=select/"
            "cons_tres\nSelectTypeParameters=CR_CPU\n"
            "ReturnToService=2\nSlurmdTimeout=30\nInactiveLimit=0\nKillWait=5\n"
            "NodeName=" +
            host_ + " NodeAddr=127.0.0.1 CPUs=" +
            std::to_string(std::max(1u, std::thread::hardware_concurrency())) +
            " RealMemory=" + std::to_string(mem_mb) +
            " State=UNKNOWN\n"
            "PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n");
    if (std::string why = ctld_.Start({"slurmctld", "-D", "-i", "-f", conf_.string()},
                                      (dir / "log/slurmctld.out").string());
        !why.empty())
      return why;
    if (std::string why = slurmd_.Start({"slurmd", "-D", "-f", conf_.string(), "-N", host_},
                                        (dir / "log/slurmd.out").string());
        !why.empty())
      return why;
    if (!WaitFor([&] { return Client("sinfo -h -o %T").out.find("idle") != std::string::npos; },
                 std::chrono::seconds(30)))
      return "the node did not come up idle: " + Logs();
    return "";
  }

  // A command with this cluster's slurm.conf.
  test::CommandResult Client(const std::string& command) const {
    return RunShell("export SLURM_CONF=" + Q(conf_.string()) + "; " + command);
  }
  // True once no task of `job` is pending or running (or `timeout` passed: false).
  bool WaitForJob(const std::string& job, std::chrono::seconds timeout) const {
    return WaitFor([&] { return Client("squeue -h -r -j " + job).out.empty(); }, timeout);
  }
  std::string Logs() const {
    std::string out;
    for (const char* f : {"slurmctld.log", "slurmd.log", "munged.log"})
      out += std::string("\n== ") + f + "\n" + Tail(test::ReadFile(dir_ / "log" / f));
    return out;
  }

  void Stop() {
    if (!conf_.empty() && ctld_.running()) {
      Client("scancel --user=root --quiet");
      WaitFor([&] { return Client("squeue -h").out.empty(); }, std::chrono::seconds(20));
    }
    slurmd_.Stop();
    ctld_.Stop();
    munged_.Stop();
  }

 private:
  template <typename Pred>
  static bool WaitFor(Pred pred, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
  }
  static std::string Tail(const std::string& s) {
    return s.size() > 3000 ? s.substr(s.size() - 3000) : s;
  }

  fs::path dir_, conf_;
  std::string host_;
  test::Daemon munged_, ctld_, slurmd_;
};

// iotcop batch --status --format json of the store, parsed (null when it fails).
json StatusOf(const std::string& db) {
  const auto r = test::RunIotcop("batch --status --format json --db " + Q(db));
  json j = json::parse(r.out, nullptr, false);
  return r.exit_code == 0 && j.is_object() ? j : json();
}

// The shards of the newest recorded batch with `shards` shards.
json ShardsOf(const json& status, int shards) {
  if (!status.is_object()) return json::array();
  for (const auto& b : status.value("batches", json::array()))
    if (b.value("shards", 0) == shards) return b.value("per_shard", json::array());
  return json::array();
}

TEST(SlurmBatch, ArrayIntoPostgresACancelledTaskResubmittedAndNothingAssessedAgain) {
  test::TempDir t;
  test::Postgres pg;  // declared first: stopped after the cluster (jobs write to it)
  SlurmCluster slurm;
  if (const std::string why = slurm.Start(t / "slurm"); !why.empty()) GTEST_SKIP() << why;
  if (const std::string why = pg.Start(t.path()); !why.empty()) GTEST_SKIP() << why;
  constexpr int kImages = 16, kShards = 4;
  const fs::path images = test::MakeProductImages(t.path(), kImages);
  const fs::path script = fs::path(IOTCOP_SOURCE_DIR) / "deploy" / "slurm-batch.sh";
  // As docs/batch.md says, with iotcop on PATH (and the workers' folders in the test's); the
  // script asks 4 CPUs and 4G a task, the test asks 1 CPU so that tasks run side by side on a
  // small machine, and for the job id.
  auto submit = [&](const std::string& env, const std::string& array) {
    return slurm.Client("cd " + Q(t.path().string()) + " && " + env +
                        " PATH=" + Q(fs::path(IOTCOP_BINARY).parent_path().string()) +
                        ":\"$PATH\" IOTCOP_DB=" + Q(pg.uri()) + " TMPDIR=" + Q(t.path().string()) +
                        " sbatch --parsable --cpus-per-task=1 --mem=512M --array=" + array + " " +
                        Q(script.string()) + " " + Q(images.string()));
  };
  const auto sub = submit("", "0-" + std::to_string(kShards - 1));
  ASSERT_EQ(sub.exit_code, 0) << sub.out << sub.err << slurm.Logs();
  const std::string job = sub.out.substr(0, sub.out.find_first_of(";\n"));
  ASSERT_FALSE(job.empty()) << sub.out;

  // Follow the array through the store alone; cancel the first task seen midway (some of its
  // items stored, some remaining).
  int killed = -1;
  json seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (killed < 0 && std::chrono::steady_clock::now() < deadline) {
    seen = ShardsOf(StatusOf(pg.uri()), kShards);
    for (json s : seen)
      // Two remaining: the task cannot finish between this look and the scancel.
      if (s["stored"].get<int>() >= 1 && s["remaining"].get<int>() >= 2) {
        killed = s["shard"].get<int>();
        break;
      }
    if (killed >= 0) break;
    if (slurm.Client("squeue -h -r -j " + job).out.empty()) break;  // all done: too late
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE(killed, 0) << "no task was ever seen midway; last status: " << seen.dump()
                       << slurm.Logs();
  const std::string task = job + "_" + std::to_string(killed);
  const auto cancel = slurm.Client("scancel " + task);
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  ASSERT_TRUE(slurm.WaitForJob(job, std::chrono::seconds(120))) << slurm.Logs();

  // The other tasks completed; the cancelled one left items remaining, and its log says why.
  auto shards = ShardsOf(StatusOf(pg.uri()), kShards);
  ASSERT_EQ(shards.size(), static_cast<std::size_t>(kShards)) << shards.dump();
  for (json s : shards) {
    EXPECT_EQ(s["items"], kImages / kShards) << s.dump();
    EXPECT_EQ(s["failed"], 0) << s.dump();
    if (s["shard"] == killed)
      EXPECT_GE(s["remaining"].get<int>(), 1) << s.dump();
    else
      EXPECT_EQ(s["remaining"], 0) << s.dump();
  }
  const std::string log =
      test::ReadFile(t / ("iotcop-batch-" + job + "_" + std::to_string(killed) + ".log"));
  EXPECT_NE(log.find("CANCELLED"), std::string::npos) << log;

  // Resubmitting that one task (with the shard count: its array has one task) completes it.
  const auto again = submit("IOTCOP_SHARDS=" + std::to_string(kShards), std::to_string(killed));
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  const std::string job2 = again.out.substr(0, again.out.find_first_of(";\n"));
  ASSERT_TRUE(slurm.WaitForJob(job2, std::chrono::seconds(120))) << slurm.Logs();
  const std::string log2 =
      test::ReadFile(t / ("iotcop-batch-" + job2 + "_" + std::to_string(killed) + ".log"));
  EXPECT_NE(log2.find("already stored"), std::string::npos) << log2;  // resumed, not redone
  EXPECT_NE(log2.find("/4] "), std::string::npos) << log2;            // its shard's 4 items
  EXPECT_EQ(log2.find("/16] "), std::string::npos) << log2;           // not all 16
  shards = ShardsOf(StatusOf(pg.uri()), kShards);
  int stored = 0;
  for (json s : shards) {
    EXPECT_EQ(s["remaining"], 0) << s.dump();
    stored += s["stored"].get<int>();
  }
  EXPECT_EQ(stored, kImages) << shards.dump();
  const auto runs = test::CompletedRunsByInputHash(pg.uri());
  EXPECT_EQ(runs.size(), static_cast<std::size_t>(kImages));
  for (const auto& [hash, n] : runs) EXPECT_EQ(n, 1) << hash;

  // The fleet summary afterwards, as docs/batch.md says: nothing is assessed again.
  const auto fleet =
      test::RunIotcop("batch " + Q(images.string()) + " --db " + Q(pg.uri()) +
                      " --summary html --summary-out " + Q((t / "fleet.html").string()));
  EXPECT_EQ(fleet.exit_code, 0) << fleet.out << fleet.err;
  int already = 0;
  for (std::size_t at = fleet.out.find("already stored"); at != std::string::npos;
       at = fleet.out.find("already stored", at + 1))
    ++already;
  EXPECT_EQ(already, kImages) << fleet.out;
  EXPECT_NE(test::ReadFile(t / "fleet.html").find("<svg"), std::string::npos);
  // The human status names every shard of the array, all done.
  const auto text = test::RunIotcop("batch --status --db " + Q(pg.uri()));
  EXPECT_NE(text.out.find(std::to_string(kShards - 1) + "/" + std::to_string(kShards)),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("done"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace iotcop
