// iotcop batch end to end: folders and list files (with host: lines), deterministic shards, resume
// (already stored content skipped), a failing item recorded alone with its error, the fleet summary
// (text, CSV, HTML with an inline SVG chart), a batch killed midway and rerun (every image stored
// exactly once), two shards running concurrently into one PostgreSQL database, and a lost
// database or full disk stopping the batch with one clear line.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "core/hash.h"
#include "store/batch.h"
#include "store/store.h"
#include "support/netns.h"
#include "support/store_fixture.h"
#include "support/test_support.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using test::Q;
using test::RunIotcop;
using test::TempDir;

// iotcop batch --status of a sharded run in progress, from the store alone: every shard records
// the whole manifest when it starts, so shards that have not started show what remains; an item
// that failed is counted apart and retried by a rerun; --format json for programs.
void StatusPerShard(const TempDir& t, const std::string& db) {
  const fs::path images = test::MakeProductImages(t.path(), 5);
  // Sorted keys: extra/missing.bin, images/cam-0 .. cam-4; shard k mod 3.
  test::WriteFile(t / "fleet.txt",
                  "images/cam-0.tar.gz\nimages/cam-1.tar.gz\nimages/cam-2.tar.gz\n"
                  "images/cam-3.tar.gz\nimages/cam-4.tar.gz\nextra/missing.bin\n");
  const std::string list = Q((t / "fleet.txt").string());
  const auto none = RunIotcop("batch --status --db " + Q(db));
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("No batch recorded"), std::string::npos) << none.out;
  const auto s0 = RunIotcop("batch " + list + " --shard 0/3 --jobs 1 --db " + Q(db));
  EXPECT_EQ(s0.exit_code, 3) << s0.out << s0.err;  // missing.bin failed
  auto status = [&](const std::string& extra) {
    const auto r = RunIotcop("batch --status --format json --db " + Q(db) + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.out;
    return j.is_object() && j["batches"].size() == 1 ? j["batches"][0] : json();
  };
  json b = status("");
  ASSERT_TRUE(b.is_object());
  EXPECT_EQ(b["source"], (t / "fleet.txt").string());
  EXPECT_EQ(b["shards"], 3);
  EXPECT_EQ(b["items"], 6);
  EXPECT_EQ(b["stored"], 1);
  EXPECT_EQ(b["failed"], 1);
  EXPECT_EQ(b["remaining"], 4);
  ASSERT_EQ(b["per_shard"].size(), 3u);
  const json want0 = {{"shard", 0}, {"items", 2}, {"stored", 1}, {"failed", 1}, {"remaining", 0}};
  const json want1 = {{"shard", 1}, {"items", 2}, {"stored", 0}, {"failed", 0}, {"remaining", 2}};
  EXPECT_EQ(b["per_shard"][0], want0);
  EXPECT_EQ(b["per_shard"][1], want1);
  EXPECT_EQ(b["per_shard"][2]["remaining"], 2);
  // Shard 1 runs; shard 0 again: its stored item is skipped, the failed one retried (and fails).
  EXPECT_EQ(RunIotcop("batch " + list + " --shard 1/3 --jobs 1 --db " + Q(db)).exit_code, 0);
  const auto again = RunIotcop("batch " + list + " --shard 0/3 --jobs 1 --db " + Q(db));
  EXPECT_NE(again.out.find("already stored"), std::string::npos) << again.out;
  b = status(" " + list);  // only the batches of this source
  ASSERT_TRUE(b.is_object());
  EXPECT_EQ(b["stored"], 3);
  EXPECT_EQ(b["failed"], 1);
  EXPECT_EQ(b["remaining"], 2);
  EXPECT_EQ(b["per_shard"][1]["stored"], 2);
  // Another source has no batch; the table for people names each shard.
  const auto other = RunIotcop("batch " + Q(images.string()) + " --status --db " + Q(db));
  EXPECT_NE(other.out.find("No batch recorded"), std::string::npos) << other.out;
  const auto text = RunIotcop("batch --status --db " + Q(db));
  EXPECT_EQ(text.exit_code, 0) << text.err;
  for (const char* want : {"3 shards", "shard", "remaining", "0/3", "1/3", "2/3", "in progress"})
    EXPECT_NE(text.out.find(want), std::string::npos) << want << "\n" << text.out;
  // The whole list unsharded (another batch of the same source and rules) settles the items of
  // the 3-shard batch too: shard 2, never run itself, is complete.
  EXPECT_EQ(RunIotcop("batch " + list + " --jobs 2 --db " + Q(db)).exit_code, 3);
  const auto all = RunIotcop("batch --status --format json --db " + Q(db));
  json both = json::parse(all.out, nullptr, false);
  ASSERT_TRUE(both.is_object() && both["batches"].size() == 2) << all.out;
  EXPECT_EQ(both["batches"][0]["shards"], 1);  // newest first
  for (json one : both["batches"]) {
    EXPECT_EQ(one["stored"], 5) << one.dump();
    EXPECT_EQ(one["failed"], 1) << one.dump();
    EXPECT_EQ(one["remaining"], 0) << one.dump();
  }
  EXPECT_EQ(RunIotcop("batch --status --format xml --db " + Q(db)).exit_code, 2);
  EXPECT_EQ(RunIotcop("batch --db " + Q(db)).exit_code, 2);  // no source, no --status
}

TEST(BatchList, ParsesImagesHostsAndCommentsAndBoundsLines) {
  auto items = store::ParseBatchList("# fleet\nfw/a.bin\n\n  /abs/b.img  \nhost: 127.0.0.9\n",
                                     "list.txt", "/base");
  ASSERT_TRUE(items) << items.error().Describe();
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ((*items)[0].target, "/base/fw/a.bin");
  EXPECT_EQ((*items)[0].name, "a.bin");
  EXPECT_EQ((*items)[1].target, "/abs/b.img");
  EXPECT_TRUE((*items)[2].host);
  EXPECT_EQ((*items)[2].target, "127.0.0.9");
  auto bad = store::ParseBatchList("a.bin\nhost:\n", "list.txt", "/");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().offset, 2u);
  EXPECT_NE(bad.error().Describe().find("list.txt"), std::string::npos);
  auto long_line = store::ParseBatchList(std::string(store::kMaxBatchLine + 1, 'a'), "l", "/");
  ASSERT_FALSE(long_line);
  EXPECT_EQ(long_line.error().code, Errc::kLimitExceeded);
}

TEST(BatchShard, SplitIsDeterministicDisjointAndComplete) {
  std::vector<store::BatchItem> items;
  for (int i = 0; i < 23; ++i)
    items.push_back({false, "/x/" + std::to_string(i), "", "k" + std::to_string(i)});
  std::vector<store::BatchItem> shuffled(items.rbegin(), items.rend());
  std::multiset<std::string> seen;
  for (std::size_t s = 0; s < 4; ++s) {
    const auto a = store::SelectShard(items, {s, 4});
    const auto b = store::SelectShard(shuffled, {s, 4});
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k].key, b[k].key);
    for (const auto& i : a) seen.insert(i.key);
  }
  EXPECT_EQ(seen.size(), items.size());
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), items.size());
  EXPECT_TRUE(store::ParseShard("3/4"));
  EXPECT_FALSE(store::ParseShard("4/4"));
  EXPECT_FALSE(store::ParseShard("1/0"));
  EXPECT_FALSE(store::ParseShard("a/2"));
  const auto r = RunIotcop("batch /nonexistent --shard 2/2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--shard 2/2"), std::string::npos) << r.err;
}

TEST(BatchSqlite, ResumeSkipsStoredItemsAndAFailingItemFailsAlone) {
  // The list names a live device on 127.0.0.9: only ever inside a network namespace of our own.
  if (const std::string why = test::EnterPrivateNetwork(); !why.empty()) GTEST_SKIP() << why;
  TempDir t;
  const fs::path images = test::MakeProductImages(t.path(), 3);
  // A corrupt image (a gzip stream cut short), a missing file and a live device (nothing listens).
  const std::string good = test::ReadFile(images / "cam-0.tar.gz");
  test::WriteFile(t / "extra/broken.tar.gz", good.substr(0, good.size() / 2));
  test::WriteFile(t / "fleet.txt",
                  "# the fleet\nimages/cam-0.tar.gz\nimages/cam-1.tar.gz\nimages/cam-2.tar.gz\n"
                  "extra/broken.tar.gz\nextra/missing.bin\nhost:127.0.0.9\n");
  const std::string db = (t / "results.db").string();
  const auto first =
      RunIotcop("batch " + Q((t / "fleet.txt").string()) + " --jobs 2 --summary csv --db " + Q(db) +
                " --work " + Q((t / "work").string()));
  EXPECT_EQ(first.exit_code, 3) << first.out << first.err;  // some items failed
  // Every item has a row; the good ones are assessed with findings.
  EXPECT_NE(first.out.find("input,product,outcome,status,run,findings"), std::string::npos)
      << first.out;
  for (int i = 0; i < 3; ++i)
    EXPECT_NE(first.out.find("cam-" + std::to_string(i) + ".tar.gz,assessed,ok,"),
              std::string::npos)
        << first.out;
  EXPECT_NE(first.out.find("missing.bin,error,error"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("127.0.0.9,"), std::string::npos) << first.out;
  auto s = store::OpenStore(db);
  ASSERT_TRUE(s);
  auto runs = (*s)->History("");
  ASSERT_TRUE(runs);
  std::map<std::string, store::RunSummary> by_product;
  for (const auto& r : *runs) by_product[r.product] = r;
  EXPECT_GT(by_product["cam-0.tar.gz"].findings, 0);
  EXPECT_GT(by_product["cam-0.tar.gz"].fail, 0);
  EXPECT_EQ(by_product["missing.bin"].status, "error");
  EXPECT_NE(by_product["missing.bin"].error.find("missing.bin"), std::string::npos);
  ASSERT_TRUE(by_product.count("broken.tar.gz"));
  EXPECT_NE(by_product["broken.tar.gz"].status, "error");  // assessed: what was readable counts
  const auto completed = test::CompletedRunsByInputHash(db);

  // Rerun: nothing stored is assessed again (the error items are retried).
  const auto again =
      RunIotcop("batch " + Q((t / "fleet.txt").string()) + " --jobs 2 --db " + Q(db));
  EXPECT_EQ(again.exit_code, 3);
  for (int i = 0; i < 3; ++i)
    EXPECT_NE(again.out.find("cam-" + std::to_string(i) + ".tar.gz already stored"),
              std::string::npos)
        << again.out;
  // A live device has no content to hash: it is assessed again, every image is not.
  auto after = test::CompletedRunsByInputHash(db);
  auto before = completed;
  const std::string host = Sha256Hex(AsBytes(std::string("host:127.0.0.9")));
  ASSERT_TRUE(before.count(host)) << "the live device was assessed in the first run";
  EXPECT_EQ(after[host], before[host] + 1);
  after.erase(host);
  before.erase(host);
  EXPECT_EQ(after, before);

  // Summaries: HTML is one self-contained page with the chart.
  const auto html = RunIotcop("batch " + Q(images.string()) + " --summary html --summary-out " +
                              Q((t / "fleet.html").string()) + " --db " + Q(db));
  EXPECT_EQ(html.exit_code, 0) << html.err;
  const std::string page = test::ReadFile(t / "fleet.html");
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("<rect"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  const auto text = RunIotcop("batch " + Q(images.string()) + " --db " + Q(db));
  EXPECT_NE(text.out.find("3 items: 0 assessed, 3 already stored, 0 failed"), std::string::npos)
      << text.out;
}

TEST(BatchSqlite, KilledMidwayThenRerunStoresEveryImageExactlyOnce) {
  TempDir t;
  const fs::path images = test::MakeProductImages(t.path(), 8);
  const std::string db = (t / "results.db").string();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string out = (t / "first.log").string();
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(IOTCOP_BINARY, IOTCOP_BINARY, "batch", images.c_str(), "--jobs", "1", "--db",
            db.c_str(), "--work", (t / "work").c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until two runs are stored, then kill the batch without warning.
  std::size_t stored = 0;
  for (int i = 0; i < 600 && stored < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (fs::exists(db)) {
      auto s = store::OpenStore(db);
      if (s) {
        auto runs = (*s)->History("");
        if (runs) stored = runs->size();
      }
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_GE(stored, 2u) << test::ReadFile(t / "first.log");
  const auto before = test::CompletedRunsByInputHash(db);
  ASSERT_LT(before.size(), 8u) << "the batch finished before it was killed; nothing to resume";
  for (const auto& [hash, n] : before) EXPECT_EQ(n, 1) << hash;

  const auto rerun = RunIotcop("batch " + Q(images.string()) + " --jobs 2 --db " + Q(db));
  EXPECT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  EXPECT_NE(rerun.out.find(std::to_string(before.size()) + " already stored"), std::string::npos)
      << rerun.out;
  const auto after = test::CompletedRunsByInputHash(db);
  EXPECT_EQ(after.size(), 8u);
  for (const auto& [hash, n] : after) EXPECT_EQ(n, 1) << hash;
}

// The vulnerability database is part of what an assessment depends on: importing a feed that
// changes it means the images are assessed again (and the new match is found); an unchanged
// database means they are skipped.
TEST(BatchSqlite, StatusPerShardFromTheStore) {
  TempDir t;
  StatusPerShard(t, (t / "results.db").string());
}

TEST(BatchSqlite, ANewVulnerabilityFeedOrVexDocumentMeansAssessingAgain) {
  TempDir t;
  const fs::path images = test::MakeProductImages(t.path(), 2);
  const std::string db = (t / "results.db").string();
  const std::string vulndb = (t / "vulns.sqlite").string();
  auto import = [&](const std::string& id, const std::string& package) {
    const fs::path feed = t / (id + ".json");
    test::WriteFile(feed, R"({"id": ")" + id + R"(", "summary": "test advisory",
        "affected": [{"package": {"name": ")" +
                              package + R"("}, "ranges": [{"type": "ECOSYSTEM",
        "events": [{"introduced": "0"}, {"fixed": "2020.79"}]}]}]})");
    const auto r = RunIotcop("vulndb import " + Q(feed.string()) + " --db " + Q(vulndb));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  };
  import("OSV-TEST-1", "no-such-package");
  const std::string batch =
      "batch " + Q(images.string()) + " --jobs 1 --db " + Q(db) + " --vulndb " + Q(vulndb);
  const auto first = RunIotcop(batch);
  EXPECT_NE(first.out.find("2 items: 2 assessed, 0 already stored"), std::string::npos)
      << first.out << first.err;
  const auto same = RunIotcop(batch);
  EXPECT_NE(same.out.find("2 items: 0 assessed, 2 already stored"), std::string::npos) << same.out;

  import("OSV-TEST-2", "dropbear");  // dropbear 2019.78 (version 1 images), not 2022.83
  const auto again = RunIotcop(batch);
  EXPECT_NE(again.out.find("2 items: 2 assessed, 0 already stored"), std::string::npos)
      << again.out << again.err;
  auto s = store::OpenStore(db);
  ASSERT_TRUE(s) << s.error().Describe();
  // How many stored runs there are, and how many of their reports name `needle`.
  auto stored_runs_naming = [&](const std::string& needle) {
    std::pair<std::size_t, int> counts{0, 0};
    auto runs = (*s)->History("");
    EXPECT_TRUE(runs);
    if (!runs) return counts;
    counts.first = runs->size();
    for (const auto& r : *runs) {
      auto report = (*s)->Report(r.id);
      EXPECT_TRUE(report);
      counts.second += report && report->dump().find(needle) != std::string::npos;
    }
    return counts;
  };
  EXPECT_EQ(stored_runs_naming("OSV-TEST-2"), std::make_pair(std::size_t{4}, 1))
      << "only the second batch, and only the v1 image, matches";

  // A VEX document changes the verdicts as a feed does: its content is part of the rules hash,
  // so a batch with it assesses again, and a second one skips; a malformed one stops the batch.
  const fs::path vex = t / "vendor.openvex.json";
  test::WriteFile(vex, R"({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "urn:test:1",
      "author": "test", "timestamp": "2026-12-07T00:00:00Z", "version": 1, "statements": [
      {"vulnerability": {"name": "OSV-TEST-2"}, "status": "not_affected",
       "justification": "vulnerable_code_not_in_execute_path"}]})");
  const std::string with_vex = batch + " --vex " + Q(vex.string());
  const auto applied = RunIotcop(with_vex);
  EXPECT_NE(applied.out.find("2 items: 2 assessed, 0 already stored"), std::string::npos)
      << applied.out << applied.err;
  const auto skipped = RunIotcop(with_vex);
  EXPECT_NE(skipped.out.find("2 items: 0 assessed, 2 already stored"), std::string::npos)
      << skipped.out;
  EXPECT_EQ(stored_runs_naming("vulnerable_code_not_in_execute_path"),
            std::make_pair(std::size_t{6}, 1))
      << "the v1 image's match, in the batch with the VEX document";
  test::WriteFile(t / "bad.json", R"({"@context": "https://openvex.dev/ns/v0.2.0",
      "statements": [{"vulnerability": 7, "status": "fixed"}]})");
  const auto bad = RunIotcop(batch + " --vex " + Q((t / "bad.json").string()));
  EXPECT_EQ(bad.exit_code, 3) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("iotcop batch: --vex: "), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("bad.json"), std::string::npos) << bad.err;
}

TEST(BatchSqlite, FullDiskStopsTheBatchWithOneClearLine) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root to mount a small tmpfs in a private mount namespace";
  if (!test::HaveTool("unshare")) GTEST_SKIP() << "unshare (util-linux) is not installed";
  TempDir t;
  const fs::path images = test::MakeProductImages(t.path(), 6);
  fs::create_directories(t / "small");
  // A 320 KiB filesystem holds the schema and a run or two, not six.
  const auto r = test::RunShell("unshare -m sh -c \"mount -t tmpfs -o size=320k tmpfs " +
                                Q((t / "small").string()) + " && env -u CI " + Q(IOTCOP_BINARY) +
                                " batch " + Q(images.string()) + " --jobs 1 --db " +
                                Q((t / "small/results.db").string()) + "\"");
  if (r.err.find("mount") != std::string::npos && r.exit_code != 3)
    GTEST_SKIP() << "cannot mount a tmpfs here: " << r.err;
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("results store"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("full"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stopped after"), std::string::npos) << r.err;
}

TEST(BatchPostgres, StatusPerShardFromTheStore) {
  TempDir t;
  test::Postgres pg;
  if (const std::string why = pg.Start(t.path()); !why.empty()) GTEST_SKIP() << why;
  StatusPerShard(t, pg.uri());
}

TEST(BatchPostgres, TwoShardsConcurrentlyIntoOneDatabase) {
  TempDir t;
  test::Postgres pg;
  if (const std::string why = pg.Start(t.path()); !why.empty()) GTEST_SKIP() << why;
  const fs::path images = test::MakeProductImages(t.path(), 6);
  const std::string cmd = "env -u CI " + Q(IOTCOP_BINARY) + " batch " + Q(images.string()) +
                          " --jobs 1 --db " + Q(pg.uri());
  const auto r =
      test::RunShell("(" + cmd + " --shard 0/2 > " + Q((t / "s0.log").string()) + " 2>&1 & " + cmd +
                     " --shard 1/2 > " + Q((t / "s1.log").string()) + " 2>&1 & wait)");
  EXPECT_EQ(r.exit_code, 0);
  const std::string s0 = test::ReadFile(t / "s0.log"), s1 = test::ReadFile(t / "s1.log");
  EXPECT_NE(s0.find("3 items"), std::string::npos) << s0;
  EXPECT_NE(s1.find("3 items"), std::string::npos) << s1;
  const auto stored = test::CompletedRunsByInputHash(pg.uri());
  EXPECT_EQ(stored.size(), 6u);
  for (const auto& [hash, n] : stored) EXPECT_EQ(n, 1) << hash;
  // The whole folder again, unsharded: everything is there already.
  const auto all = RunIotcop("batch " + Q(images.string()) + " --db " + Q(pg.uri()));
  EXPECT_NE(all.out.find("6 items: 0 assessed, 6 already stored"), std::string::npos) << all.out;
  // The database goes away: the batch says so and stops.
  pg.Stop();
  const auto lost = RunIotcop("batch " + Q(images.string()) + " --db " + Q(pg.uri()));
  EXPECT_EQ(lost.exit_code, 3);
  EXPECT_NE(lost.err.find("results store"), std::string::npos) << lost.err;
  EXPECT_NE(lost.err.find("cannot connect"), std::string::npos) << lost.err;
}

// The server goes away in the middle of a batch: the batch stops at its next save with one
// clear line, and once the server is back, what was saved before is there exactly once and a
// rerun completes the rest.
TEST(BatchPostgres, ConnectionLostMidwayStopsCleanlyAndKeepsWhatWasSaved) {
  TempDir t;
  test::Postgres pg;
  if (const std::string why = pg.Start(t.path()); !why.empty()) GTEST_SKIP() << why;
  const fs::path images = test::MakeProductImages(t.path(), 10);
  const std::string log = (t / "batch.log").string();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(IOTCOP_BINARY, IOTCOP_BINARY, "batch", images.c_str(), "--jobs", "1", "--db",
            pg.uri().c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::size_t stored = 0;
  for (int i = 0; i < 1200 && stored < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (auto s = store::OpenStore(pg.uri()); s)
      if (auto runs = (*s)->History(""); runs) stored = runs->size();
  }
  pg.Stop();
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 1200 && done == 0; ++i) {
    done = ::waitpid(pid, &status, WNOHANG);
    if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (done == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    FAIL() << "the batch did not stop within 60 s of losing its database\n" << test::ReadFile(log);
  }
  ASSERT_GE(stored, 2u) << test::ReadFile(log);
  const std::string out = test::ReadFile(log);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  if (WEXITSTATUS(status) == 0) {
    // Only a batch that really stored all ten before the server went away may end well; one
    // that lost saves without saying so fails here.
    ASSERT_EQ(pg.Restart(), "");
    ASSERT_EQ(test::CompletedRunsByInputHash(pg.uri()).size(), 10u) << out;
    GTEST_SKIP() << "the batch finished before the server was stopped; nothing was lost";
  }
  EXPECT_EQ(WEXITSTATUS(status), 3) << out;
  EXPECT_NE(out.find("results store"), std::string::npos) << out;
  EXPECT_NE(out.find("stopped after"), std::string::npos) << out;
  EXPECT_NE(out.find("rerun to resume"), std::string::npos) << out;

  ASSERT_EQ(pg.Restart(), "");
  const auto before = test::CompletedRunsByInputHash(pg.uri());
  EXPECT_GE(before.size(), 2u);
  EXPECT_LT(before.size(), 10u);
  for (const auto& [hash, n] : before) EXPECT_EQ(n, 1) << hash;
  const auto rerun = RunIotcop("batch " + Q(images.string()) + " --jobs 2 --db " + Q(pg.uri()));
  EXPECT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  const auto after = test::CompletedRunsByInputHash(pg.uri());
  EXPECT_EQ(after.size(), 10u);
  for (const auto& [hash, n] : after) EXPECT_EQ(n, 1) << hash;
}

}  // namespace
}  // namespace iotcop
