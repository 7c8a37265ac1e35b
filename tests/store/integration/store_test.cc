// The results store end to end on SQLite and on a real PostgreSQL server the test starts: every
// assessment saved (one transaction, schema migrations), history, show (the stored JSON report
// re-rendered) and diff between two versions of one product (findings matched by the stable
// fingerprint, verdict, component and service changes); the JSON round trip; store failures
// reported while the reports are still written.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "assess/builtin_checks.h"
#include "report/json_read.h"
#include "report/renderer.h"
#include "store/diff.h"
#include "store/fingerprint.h"
#include "store/store.h"
#include "support/firmware_fixture.h"
#include "support/store_fixture.h"
#include "support/test_support.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using test::Q;
using test::RunIotcop;
using test::TempDir;

json Parse(const test::CommandResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out, nullptr, false);
}

bool HasFinding(const json& list, const std::string& check) {
  for (const auto& f : list)
    if (f.value("check", "") == check) return true;
  return false;
}

json Change(const json& list, const std::string& name) {
  for (const auto& c : list)
    if (c.value("name", "") == name) return c;
  return json();
}

// Two versions of one product assessed into `db`; then history, show and diff through the CLI.
void HistoryShowDiff(const TempDir& t, const std::string& db) {
  test::WriteProductTree(t / "v1", 1);
  test::WriteProductTree(t / "v2", 2);
  for (int v : {1, 2}) {
    const auto r =
        RunIotcop("assess --firmware " + Q((t / ("v" + std::to_string(v))).string()) +
                  " --product cam --product-version " + std::to_string(v) + ".0 -o " +
                  Q((t / ("out" + std::to_string(v))).string()) + " --format json --db " + Q(db));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Saved as run " + std::to_string(v)), std::string::npos) << r.out;
  }
  // history: newest first, with the counts of the report.
  const json h = Parse(RunIotcop("history --json --product cam --db " + Q(db)));
  ASSERT_EQ(h.size(), 2u) << h.dump();
  EXPECT_EQ(h[0]["version"], "2.0");
  EXPECT_EQ(h[1]["version"], "1.0");
  const json report1 = json::parse(test::ReadFile(t / "out1/report.json"));
  EXPECT_EQ(h[1]["findings"], report1["findings"].size());
  EXPECT_EQ(h[1]["verdicts"]["FAIL"], report1["summary"]["verdicts"]["FAIL"]);
  EXPECT_EQ(Parse(RunIotcop("history --json --product other --db " + Q(db))).size(), 0u);
  EXPECT_NE(RunIotcop("history --db " + Q(db)).out.find("cam"), std::string::npos);

  // show: the stored report comes back as the same JSON report, and renders as text and HTML.
  const json shown = Parse(RunIotcop("show cam@1.0 --format json --db " + Q(db)));
  EXPECT_EQ(shown["findings"], report1["findings"]);
  EXPECT_EQ(shown["verdicts"], report1["verdicts"]);
  EXPECT_EQ(shown["facts"], report1["facts"]);
  EXPECT_EQ(shown["guidelines"], report1["guidelines"]);
  const auto text = RunIotcop("show 1 --db " + Q(db));
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("telnet gives a shell without login"), std::string::npos) << text.out;
  const auto html = RunIotcop("show cam@previous --format html --db " + Q(db));
  EXPECT_EQ(html.exit_code, 0);
  EXPECT_NE(html.out.find("<!DOCTYPE html>"), std::string::npos);
  const auto missing = RunIotcop("show 99 --db " + Q(db));
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("no stored run 99"), std::string::npos) << missing.err;

  // diff: v1 -> v2.
  const json d = Parse(RunIotcop("diff cam@previous cam@latest --format json --db " + Q(db)));
  EXPECT_TRUE(HasFinding(d["findings"]["new"], "fw.accounts.extra-root")) << d.dump(1);
  EXPECT_TRUE(HasFinding(d["findings"]["fixed"], "fw.accounts.default-password")) << d.dump(1);
  EXPECT_TRUE(HasFinding(d["findings"]["fixed"], "fw.services.telnet")) << d.dump(1);
  for (const auto& f : d["findings"]["new"]) {  // backdoor's baked hash is new; root's is fixed
    if (f["check"] == "fw.accounts.default-password") {
      EXPECT_NE(f["title"].get<std::string>().find("backdoor"), std::string::npos) << f.dump();
    }
  }
  EXPECT_EQ(Change(d["components"], "dropbear")["change"], "upgraded") << d["components"].dump();
  EXPECT_EQ(Change(d["components"], "dropbear")["before"], "2019.78");
  EXPECT_EQ(Change(d["components"], "dropbear")["after"], "2022.83");
  EXPECT_EQ(Change(d["components"], "libbar")["change"], "added");
  EXPECT_EQ(Change(d["components"], "libfoo")["change"], "removed");
  EXPECT_EQ(Change(d["services"], "telnetd")["change"], "vanished") << d["services"].dump();
  EXPECT_EQ(Change(d["services"], "dropbear")["change"], "appeared");
  json by_item;
  for (const auto& v : d["verdicts"]) by_item[v["item"].get<std::string>()] = v;
  EXPECT_EQ(by_item["5.6-5"]["before"], "FAIL") << d["verdicts"].dump();  // telnet gone
  EXPECT_EQ(by_item["5.6-5"]["after"], "PASS");
  EXPECT_EQ(by_item["5.4-3"]["before"], "PASS");  // a baked hash arrived
  EXPECT_EQ(by_item["5.4-3"]["after"], "FAIL");
  const auto dt = RunIotcop("diff 1 2 --db " + Q(db));
  EXPECT_NE(dt.out.find("+ [high] fw.accounts.extra-root"), std::string::npos) << dt.out;
  const auto dh = RunIotcop("diff 1 2 --format html --db " + Q(db));
  EXPECT_NE(dh.out.find("upgraded"), std::string::npos);
  EXPECT_EQ(dh.out.find("<script"), std::string::npos);
  // A run against itself: nothing changed.
  const json same = Parse(RunIotcop("diff 2 2 --format json --db " + Q(db)));
  EXPECT_TRUE(same["findings"]["new"].empty());
  EXPECT_TRUE(same["findings"]["fixed"].empty());
  EXPECT_TRUE(same["verdicts"].empty());
  EXPECT_TRUE(same["components"].empty());
  EXPECT_TRUE(same["services"].empty());
}

TEST(StoreSqlite, HistoryShowAndDiffOfTwoVersions) {
  TempDir t;
  HistoryShowDiff(t, (t / "results.db").string());
  // The schema is recorded and reopening applies nothing twice.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((t / "results.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT COUNT(*), MAX(version) FROM schema_version", -1, &s, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), 2);  // migrations 1 (runs) and 2 (batch manifests)
  EXPECT_EQ(sqlite3_column_int(s, 1), 2);
  sqlite3_finalize(s);
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))), "wal");
  sqlite3_finalize(s);
  // A database from a newer iotcop is refused with a clear message.
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_version VALUES(99)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const auto r = RunIotcop("history --db " + Q((t / "results.db").string()));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("schema version 99"), std::string::npos) << r.err;
}

TEST(StoreSqlite, DefaultPathAndNoStore) {
  TempDir t;
  test::WriteProductTree(t / "v1", 1);
  const std::string env = "XDG_DATA_HOME=" + Q((t / "xdg").string()) + " ";
  auto r = test::RunShell("env -u CI " + env + Q(IOTCOP_BINARY) + " assess -q --format json -o " +
                          Q((t / "o").string()) + " --firmware " + Q((t / "v1").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(t / "xdg/iotcop/results.db"));
  r = test::RunShell("env -u CI " + env + Q(IOTCOP_BINARY) +
                     " assess -q --no-store --format json -o " + Q((t / "o").string()) +
                     " --firmware " + Q((t / "v1").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::RunShell("env -u CI " + env + Q(IOTCOP_BINARY) + " history --json");
  EXPECT_EQ(json::parse(r.out).size(), 1u) << r.out;
}

TEST(StoreSqlite, StoreFailureIsReportedAndReportsAreStillWritten) {
  TempDir t;
  test::WriteProductTree(t / "v1", 1);
  test::WriteFile(t / "not-a-folder", "x");
  const auto r =
      RunIotcop("assess --firmware " + Q((t / "v1").string()) + " -o " + Q((t / "out").string()) +
                " --format json --db " + Q((t / "not-a-folder/results.db").string()));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("results store"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not-a-folder"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the reports are written"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(t / "out/report.json"));
}

TEST(StoreJson, ReportRoundTripsIntoTheSameReport) {
  TempDir t;
  test::WriteProductTree(t / "v2", 2);
  const auto run = test::AssessFolder(t / "v2");
  auto cat = Catalogue::Load(Catalogue::DefaultDir());
  ASSERT_TRUE(cat) << cat.error().Describe();
  ASSERT_FALSE(run.a.findings.empty());
  const json doc = report::AssessmentJson(run.a, *cat);
  auto back = report::AssessmentFromJson(doc, "test", BuiltinChecks());
  ASSERT_TRUE(back) << back.error().Describe();
  EXPECT_EQ(report::AssessmentJson(*back, *cat), doc);
  EXPECT_FALSE(report::AssessmentFromJson(json{{"schema", "other/1"}}, "x", BuiltinChecks()));
}

TEST(StoreFingerprint, IgnoresInputNamesOffsetsAndLinesButNotTheSubject) {
  // What CheckContext::Report makes of a check's key: the subject without carve offsets.
  EXPECT_EQ(SubjectKey("hash:root@0xECE44.squashfs!/etc/shadow"), "hash:root@squashfs!/etc/shadow");
  EXPECT_EQ(SubjectKey("hash:root@0x11AEA0.squashfs!/etc/shadow"),
            "hash:root@squashfs!/etc/shadow");
  EXPECT_EQ(SubjectKey("fw.bin.extracted/0x40_lzma/0x0.cpio!/etc/passwd"),
            "fw.bin/lzma/cpio!/etc/passwd");
  EXPECT_EQ(SubjectKey("value 0x40 stays"), "value 0x40 stays");  // not a carve name
  EXPECT_EQ(Fingerprint("c", "a@0x40.squashfs!/x"), Fingerprint("c", "a@0x80.squashfs!/x"));

  Finding a;
  a.check_id = "fw.accounts.default-password";
  a.subject = SubjectKey("no-password:root@0x40.squashfs!/etc/shadow");
  a.fingerprint = Fingerprint(a.check_id, a.subject);
  a.evidence.push_back(
      {InputKind::kFirmware, "cam-1.0.bin", "0x40.squashfs!/etc/shadow", 0x1234u, 3u, "", {}, "x"});
  Finding b = a;
  b.evidence[0] = {InputKind::kFirmware,
                   "/fw/cam-1.1.bin",
                   "0x80.squashfs!/etc/shadow",
                   0x999u,
                   7u,
                   "",
                   {},
                   "y"};
  EXPECT_EQ(store::StableFingerprint(a), store::StableFingerprint(b));
  EXPECT_EQ(store::NormalisedLocator(a.evidence[0]), "firmware|squashfs!/etc/shadow");
  Finding c = a;
  c.subject = "no-password:admin@squashfs!/etc/shadow";  // another account
  EXPECT_NE(store::StableFingerprint(a), store::StableFingerprint(c));
  Finding d = a;
  d.subject = "no-password:root@squashfs!/etc/shadow.bak";  // another file
  EXPECT_NE(store::StableFingerprint(a), store::StableFingerprint(d));
  // The evidence may grow and the message change: "49 of 49 binaries" and "70 of 70" are one.
  Finding e = a;
  e.title = "70 of 70 binaries have no stack canary";
  e.evidence.push_back(
      {InputKind::kFirmware, "cam-1.1.bin", "0x80.squashfs!/usr/bin/x", {}, {}, "", {}, ""});
  EXPECT_EQ(store::StableFingerprint(a), store::StableFingerprint(e));
  // A folder input names its root after itself; the subject loses the input's name too.
  Finding g = a, h = a;
  g.subject = "no-password:root@rootfs-1.0!/etc/shadow";
  g.evidence[0] = {
      InputKind::kFirmware, "/x/rootfs-1.0", "rootfs-1.0!/etc/shadow", {}, 1u, "", {}, ""};
  h.subject = "no-password:root@rootfs-1.1!/etc/shadow";
  h.evidence[0] = {
      InputKind::kFirmware, "/y/rootfs-1.1", "rootfs-1.1!/etc/shadow", {}, 2u, "", {}, ""};
  EXPECT_EQ(store::StableFingerprint(g), store::StableFingerprint(h));
  // Reports stored before subjects existed: the key's hash and the normalised locators.
  Finding old_a = a, old_b = b;
  old_a.subject.clear();
  old_b.subject.clear();
  EXPECT_EQ(store::StableFingerprint(old_a), store::StableFingerprint(old_b));
}

TEST(StoreDiff, AFindingWhoseTextChangedIsChangedNotNewAndFixed) {
  Assessment a, b;
  Finding f;
  f.check_id = "fw.binaries.hardening";
  f.subject = "property:canary";
  f.fingerprint = Fingerprint(f.check_id, f.subject);
  f.title = "49 of 49 binaries have no stack canary";
  f.evidence.push_back(
      {InputKind::kFirmware, "fw-1.bin", "0xECE44.squashfs!/bin/busybox", {}, {}, "", {}, ""});
  a.findings.push_back(f);
  f.title = "70 of 70 binaries have no stack canary";
  f.evidence = {
      {InputKind::kFirmware, "fw-2.bin", "0x11AEA0.squashfs!/bin/busybox", {}, {}, "", {}, ""},
      {InputKind::kFirmware, "fw-2.bin", "0x11AEA0.squashfs!/bin/new", {}, {}, "", {}, ""}};
  b.findings.push_back(f);
  const store::RunDiff d = store::DiffRuns({}, a, {}, b);
  EXPECT_TRUE(d.new_findings.empty());
  EXPECT_TRUE(d.fixed_findings.empty());
  ASSERT_EQ(d.changed_findings.size(), 1u);
  EXPECT_EQ(d.changed_findings[0].before.title, "49 of 49 binaries have no stack canary");
  EXPECT_EQ(d.changed_findings[0].after.title, "70 of 70 binaries have no stack canary");
  const json j = store::DiffJson(d);
  EXPECT_EQ(j["findings"]["changed"][0]["before"]["title"],
            "49 of 49 binaries have no stack canary");
  std::ostringstream text;
  store::DiffText(d, text);
  EXPECT_NE(text.str().find("0 new, 0 fixed, 1 changed, 0 unchanged"), std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("was: 49 of 49 binaries"), std::string::npos) << text.str();
}

// The same product behind different padding (the file system at another offset, so every carve
// name differs) diffs to nothing: no finding new, fixed or changed, no verdict changed.
TEST(StoreDiff, TheSameImageBehindDifferentPaddingDiffsToNothing) {
  if (!test::HaveTool("mksquashfs")) GTEST_SKIP() << "mksquashfs is not installed";
  TempDir t;
  test::WriteProductTree(t / "tree", 1);
  test::MustRun("mksquashfs " + Q((t / "tree").string()) + " " + Q((t / "fs.sqfs").string()) +
                " -noappend -quiet -comp gzip >/dev/null");
  const std::string fs_bytes = test::ReadFile(t / "fs.sqfs");
  test::WriteFile(t / "cam-1.bin", std::string(0x2000, '\xff') + fs_bytes);
  test::WriteFile(t / "cam-2.bin", std::string(0x13400, '\0') + fs_bytes + std::string(999, '\0'));
  const std::string db = (t / "runs.db").string();
  for (const char* v : {"1", "2"}) {
    const auto r =
        RunIotcop("assess --firmware " + Q((t / ("cam-" + std::string(v) + ".bin")).string()) +
                  " --product cam --product-version " + v + " -o " +
                  Q((t / ("out" + std::string(v))).string()) + " --format json --db " + Q(db));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const json r1 = json::parse(test::ReadFile(t / "out1/report.json"));
  ASSERT_FALSE(r1["findings"].empty());
  bool carved = false;  // the subjects came from carved file systems
  for (const auto& f : r1["findings"])
    for (const auto& e : f["evidence"])
      carved |= e.value("path", "").find("0x2000") != std::string::npos;
  EXPECT_TRUE(carved) << r1["findings"].dump();
  const json d = Parse(RunIotcop("diff cam@1 cam@2 --format json --db " + Q(db)));
  EXPECT_TRUE(d["findings"]["new"].empty()) << d.dump(1);
  EXPECT_TRUE(d["findings"]["fixed"].empty()) << d.dump(1);
  EXPECT_TRUE(d["findings"]["changed"].empty()) << d.dump(1);
  EXPECT_EQ(d["findings"]["unchanged"], r1["findings"].size());
  EXPECT_TRUE(d["verdicts"].empty()) << d.dump(1);
}

TEST(StorePostgres, HistoryShowAndDiffOfTwoVersions) {
  TempDir t;
  test::Postgres pg;
  if (const std::string why = pg.Start(t.path()); !why.empty()) GTEST_SKIP() << why;
  HistoryShowDiff(t, pg.uri());
  // The same logical schema as SQLite.
  auto s = store::OpenStore(pg.uri());
  ASSERT_TRUE(s) << s.error().Describe();
  EXPECT_EQ((*s)->where().rfind("postgresql ", 0), 0u) << (*s)->where();
  auto runs = (*s)->History("");
  ASSERT_TRUE(runs);
  EXPECT_EQ(runs->size(), 2u);
  // A server that is gone: one clear line.
  pg.Stop();
  const auto r = RunIotcop("history --db " + Q(pg.uri()));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace iotcop
