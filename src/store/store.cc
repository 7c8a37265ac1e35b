// File: store/store.cc
// The results store's logic, written once over SqlDb: open (backend by spec, then migrations),
// save one run in one transaction, history, lookup and resume queries; and the record of an
// assessment (indexed rows + JSON report).
#include "store/store.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/build_info.h"
#include "core/hash.h"
#include "core/paths.h"
#include "store/fingerprint.h"
#include "store/sql.h"
#include "vuln/vulndb.h"

namespace iotcop::store {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kRunColumns =
    "id, product, version, started, finished, tool_version, rules_hash, input_hash, status, error, "
    "findings, pass, fail, inconclusive, not_applicable";

int Int(const SqlValue& v) { return v ? std::atoi(v->c_str()) : 0; }
std::string Text(const SqlValue& v) { return v ? *v : std::string(); }
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

RunSummary SummaryOf(const SqlRow& r) {
  RunSummary s;
  s.id = std::atoll(Text(r[0]).c_str());
  s.product = Text(r[1]);
  s.version = Text(r[2]);
  s.started = Text(r[3]);
  s.finished = Text(r[4]);
  s.tool_version = Text(r[5]);
  s.rules_hash = Text(r[6]);
  s.input_hash = Text(r[7]);
  s.status = Text(r[8]);
  s.error = Text(r[9]);
  s.findings = Int(r[10]);
  s.pass = Int(r[11]);
  s.fail = Int(r[12]);
  s.inconclusive = Int(r[13]);
  s.not_applicable = Int(r[14]);
  return s;
}

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<SqlDb> db) : db_(std::move(db)) {
    where_ = std::string(db_->backend()) + " " + db_->where();
  }
  const std::string& where() const override { return where_; }

  Result<std::int64_t> Save(const RunRecord& run) override {
    return InTransaction([&] { return SaveIn(run); });
  }

  Result<std::int64_t> OpenBatch(const BatchManifest& m) override {
    return InTransaction([&] { return OpenBatchIn(m); });
  }

  Status SettleBatchItem(std::int64_t batch, const std::string& key, std::int64_t run_id) override {
    return SettleIn(batch, key, std::to_string(run_id));
  }

  Result<std::vector<BatchProgress>> Batches(const std::string& source) override {
    std::string sql = "SELECT id, source, shards, rules_hash, started FROM batches";
    std::vector<SqlValue> params;
    if (!source.empty()) {
      sql += " WHERE source = ?1";
      params.push_back(source);
    }
    auto rows = db_->Query(sql + " ORDER BY id DESC", params);
    if (!rows) return rows.error();
    std::vector<BatchProgress> out;
    for (const auto& row : *rows) {
      BatchProgress b;
      b.id = std::atoll(Text(row[0]).c_str());
      b.source = Text(row[1]);
      // A shard count read back is bounded like one given on the command line (kMaxBatchItems).
      b.shards = static_cast<std::size_t>(std::clamp(Int(row[2]), 1, 1000000));
      b.rules_hash = Text(row[3]);
      b.started = Text(row[4]);
      for (std::size_t k = 0; k < b.shards && k < 4096; ++k) b.per_shard.push_back({k});
      auto counts = db_->Query(
          "SELECT i.shard, COUNT(*), "
          "SUM(CASE WHEN r.status IN ('ok', 'partial') THEN 1 ELSE 0 END), "
          "SUM(CASE WHEN r.status IS NOT NULL AND r.status NOT IN ('ok', 'partial') "
          "THEN 1 ELSE 0 END), "
          "SUM(CASE WHEN r.id IS NULL THEN 1 ELSE 0 END) "
          "FROM batch_items i LEFT JOIN runs r ON r.id = i.run_id WHERE i.batch_id = ?1 "
          "GROUP BY i.shard ORDER BY i.shard",
          {Text(row[0])});
      if (!counts) return counts.error();
      for (const auto& c : *counts) {
        const int shard = Int(c[0]);
        if (shard < 0 || static_cast<std::size_t>(shard) >= b.per_shard.size()) continue;
        ShardProgress& p = b.per_shard[static_cast<std::size_t>(shard)];
        p.items = Int(c[1]);
        p.stored = Int(c[2]);
        p.failed = Int(c[3]);
        p.remaining = Int(c[4]);
      }
      out.push_back(std::move(b));
    }
    return out;
  }

  Result<std::vector<RunSummary>> History(const std::string& product) override {
    std::string sql = std::string("SELECT ") + kRunColumns + " FROM runs";
    std::vector<SqlValue> params;
    if (!product.empty()) {
      sql += " WHERE product = ?1";
      params.push_back(product);
    }
    sql += " ORDER BY id DESC";
    auto rows = db_->Query(sql, params);
    if (!rows) return rows.error();
    std::vector<RunSummary> out;
    for (const auto& r : *rows) out.push_back(SummaryOf(r));
    return out;
  }

  Result<RunSummary> Summary(std::int64_t id) override {
    auto rows = db_->Query(std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?1",
                           {std::to_string(id)});
    if (!rows) return rows.error();
    if (rows->empty()) return NoRun(std::to_string(id));
    return SummaryOf(rows->front());
  }

  Result<json> Report(std::int64_t id) override {
    auto rows =
        db_->Query("SELECT report FROM run_reports WHERE run_id = ?1", {std::to_string(id)});
    if (!rows) return rows.error();
    if (rows->empty() || !rows->front()[0])
      return MakeError(
          Errc::kInvalidArgument,
          "run " + std::to_string(id) + " has no stored report (it failed before one was made)",
          where_);
    json j = json::parse(*rows->front()[0], nullptr, false);
    if (j.is_discarded())
      return MakeError(Errc::kCorrupt,
                       "stored report of run " + std::to_string(id) + " is not valid JSON", where_);
    return j;
  }

  Result<std::optional<std::int64_t>> Completed(const std::string& input_hash,
                                                const std::string& rules_hash) override {
    auto rows = db_->Query(
        "SELECT MAX(id) FROM runs WHERE input_hash = ?1 AND rules_hash = ?2 AND status <> 'error'",
        {input_hash, rules_hash});
    if (!rows) return rows.error();
    if (rows->empty() || !rows->front()[0]) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(std::atoll(rows->front()[0]->c_str()));
  }

  Result<std::int64_t> Resolve(const std::string& ref) override {
    if (!ref.empty() &&
        std::all_of(ref.begin(), ref.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      if (ref.size() > 18) return NoRun(ref);
      auto s = Summary(std::stoll(ref));
      if (!s) return s.error();
      return s->id;
    }
    const auto at = ref.rfind('@');
    if (at == std::string::npos || at == 0)
      return MakeError(
          Errc::kInvalidArgument,
          ref + ": expected a run id or PRODUCT@latest, PRODUCT@previous, PRODUCT@VERSION", where_);
    const std::string product = ref.substr(0, at), what = ref.substr(at + 1);
    Result<std::vector<SqlRow>> rows = std::vector<SqlRow>{};
    if (what == "latest" || what == "previous") {
      rows = db_->Query(
          "SELECT id FROM runs WHERE product = ?1 AND status <> 'error' ORDER BY id DESC",
          {product});
    } else {
      rows = db_->Query(
          "SELECT id FROM runs WHERE product = ?1 AND version = ?2 AND status <> 'error' ORDER BY "
          "id DESC",
          {product, what});
    }
    if (!rows) return rows.error();
    const std::size_t want = what == "previous" ? 1 : 0;
    if (rows->size() <= want) return NoRun(ref);
    return std::atoll(Text((*rows)[want][0]).c_str());
  }

 private:
  // The item settles in every batch of the same source and rules (whatever its shard count): a
  // shard rerun unsharded, or another split of the same folder, completes them all alike.
  Status SettleIn(std::int64_t batch, const std::string& key, const std::string& run_id) {
    auto r = db_->Query(
        "UPDATE batch_items SET run_id = ?3 WHERE item = ?2 AND batch_id IN "
        "(SELECT o.id FROM batches b JOIN batches o ON o.source = b.source AND "
        "o.rules_hash = b.rules_hash WHERE b.id = ?1)",
        {std::to_string(batch), key, run_id});
    if (!r) return r.error();
    return {};
  }

  // `body` in one write transaction: committed when it succeeds, rolled back when it fails.
  template <typename Body>
  Result<std::int64_t> InTransaction(Body body) {
    if (Status st = db_->Begin(); !st) return st.error();
    auto r = body();
    if (!r) {
      db_->Rollback();
      return r;
    }
    if (Status st = db_->Commit(); !st) return st.error();
    return r;
  }

  Error NoRun(const std::string& ref) const {
    return MakeError(Errc::kInvalidArgument, "no stored run " + ref + " (see iotcop history)",
                     where_);
  }

  Result<std::int64_t> OpenBatchIn(const BatchManifest& m) {
    const std::string shards = std::to_string(m.shards);
    // Shards starting together: the first insert wins, the others find its row.
    if (auto r = db_->Query(
            "INSERT INTO batches(source, shards, rules_hash, started) VALUES(?1,?2,?3,?4) "
            "ON CONFLICT(source, shards, rules_hash) DO NOTHING",
            {m.source, shards, m.rules_hash, m.started});
        !r)
      return r.error();
    auto found =
        db_->Query("SELECT id FROM batches WHERE source = ?1 AND shards = ?2 AND rules_hash = ?3",
                   {m.source, shards, m.rules_hash});
    if (!found) return found.error();
    if (found->empty() || !found->front()[0])
      return MakeError(Errc::kIo, "batch of " + m.source + " not found after recording it", where_);
    const std::string id = *found->front()[0];
    auto have = db_->Query("SELECT COUNT(*) FROM batch_items WHERE batch_id = ?1", {id});
    if (!have) return have.error();
    if (!have->empty() && Int(have->front()[0]) == static_cast<int>(m.items.size()))
      return std::atoll(id.c_str());
    // Many rows a statement (the items of a large fleet), within SQLite's parameter limit.
    constexpr std::size_t kRowsPerInsert = 200;
    for (std::size_t at = 0; at < m.items.size(); at += kRowsPerInsert) {
      std::string sql = "INSERT INTO batch_items(batch_id, item, shard) VALUES";
      std::vector<SqlValue> params = {id};
      for (std::size_t k = at; k < m.items.size() && k < at + kRowsPerInsert; ++k) {
        sql += (k == at ? "" : ",") + std::string("(?1,?") + std::to_string(params.size() + 1) +
               ",?" + std::to_string(params.size() + 2) + ")";
        params.push_back(m.items[k].first);
        params.push_back(std::to_string(m.items[k].second));
      }
      if (auto r = db_->Query(sql + " ON CONFLICT(batch_id, item) DO NOTHING", params); !r)
        return r.error();
    }
    return std::atoll(id.c_str());
  }

  Result<std::int64_t> SaveIn(const RunRecord& run) {
    int counts[4] = {0, 0, 0, 0};
    // The report may come from a file (a batch worker's): each count is read only as an integer.
    const json* v = &run.report;
    for (const char* key : {"summary", "verdicts"}) {
      auto it = v->is_object() ? v->find(key) : v->end();
      v = it != v->end() && it->is_object() ? &*it : nullptr;
      if (!v) break;
    }
    const char* names[4] = {"PASS", "FAIL", "INCONCLUSIVE", "NOT_APPLICABLE"};
    for (int k = 0; v && k < 4; ++k) {
      auto it = v->find(names[k]);
      if (it != v->end() && it->is_number_integer()) counts[k] = it->get<int>();
    }
    auto ins = db_->Query(
        "INSERT INTO runs(product, version, started, finished, tool_version, rules_hash, "
        "input_hash, status, error, findings, pass, fail, inconclusive, not_applicable) "
        "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14) RETURNING id",
        {run.product, run.version, run.started, run.finished, run.tool_version, run.rules_hash,
         run.input_hash, run.status, run.error, std::to_string(run.findings.size()),
         std::to_string(counts[0]), std::to_string(counts[1]), std::to_string(counts[2]),
         std::to_string(counts[3])});
    if (!ins) return ins.error();
    if (ins->empty() || !ins->front()[0])
      return MakeError(Errc::kIo, "insert returned no run id", where_);
    const std::string id = *ins->front()[0];
    for (const auto& f : run.findings) {
      json prov = f.provisions;
      if (auto r = db_->Query(
              "INSERT INTO findings VALUES(?1,?2,?3,?4,?5,?6,?7)",
              {id, f.fingerprint, f.check_id, f.severity, Dump(prov), f.title, Dump(f.evidence)});
          !r)
        return r.error();
    }
    for (const auto& v : run.verdicts) {
      if (auto r = db_->Query("INSERT INTO verdicts VALUES(?1,?2,?3,?4)",
                              {id, v.standard, v.item, v.verdict});
          !r)
        return r.error();
    }
    for (const auto& c : run.components) {
      if (auto r = db_->Query("INSERT INTO components VALUES(?1,?2,?3)", {id, c.name, c.version});
          !r)
        return r.error();
    }
    for (const auto& s : run.services) {
      if (auto r = db_->Query("INSERT INTO services VALUES(?1,?2,?3)", {id, s.name, s.detail}); !r)
        return r.error();
    }
    if (!run.report.is_null()) {
      if (auto r = db_->Query("INSERT INTO run_reports VALUES(?1,?2)", {id, Dump(run.report)}); !r)
        return r.error();
    }
    if (run.batch != 0) {
      if (Status st = SettleIn(run.batch, run.batch_item, id); !st) return st.error();
    }
    return std::atoll(id.c_str());
  }

  std::unique_ptr<SqlDb> db_;
  std::string where_;
};

void HashTree(const fs::path& dir, std::string& material) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto h = Sha256File(f.string());
    material += fs::relative(f, dir, ec).generic_string() + " " + (h ? *h : "unreadable") + "\n";
  }
}

}  // namespace

ComponentRow ComponentOf(const Fact& component) {
  return {FieldText(component.value, "name"), FieldText(component.value, "version")};
}

ServiceRow ServiceOf(const Fact& service) {
  std::string detail = FieldText(service.value, "init");
  if (const std::string port = FieldText(service.value, "port"); !port.empty())
    detail += (detail.empty() ? "port " : " port ") + port;
  return {FieldText(service.value, "name"), detail};
}

fs::path DefaultDbPath() {
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
    return fs::path(x) / "iotcop" / "results.db";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".local" / "share" / "iotcop" / "results.db";
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& spec) {
  Result<std::unique_ptr<SqlDb>> db = MakeError(Errc::kInternal, "unset");
  if (spec.starts_with("postgresql://") || spec.starts_with("postgres://")) {
    db = OpenPostgres(spec);
  } else {
    db = OpenSqlite(spec.empty() ? DefaultDbPath().string() : spec);
  }
  if (!db) return db.error();
  if (Status st = Migrate(**db); !st) return st.error();
  return std::unique_ptr<Store>(std::make_unique<SqlStore>(std::move(*db)));
}

std::string RulesHash(const std::string& vulndb, const std::vector<std::string>& vex,
                      const std::vector<std::string>& templates) {
  std::string material = std::string("iotcop ") + build::kVersion + "\n";
  for (const char* sub : {"catalogue", "rules", "schema"}) {
    material += std::string("[") + sub + "]\n";
    HashTree(DataDir() / sub, material);
  }
  material += "[vulndb]\n" +
              vuln::VulnDbDigest(vulndb.empty() ? vuln::DefaultVulnDbPath()
                                                : std::filesystem::path(vulndb)) +
              "\n";
  // A VEX statement turns a match into "not affected": another document, another verdict.
  for (const auto& file : vex) {
    auto h = Sha256File(file);
    material += "[vex] " + (h ? *h : "unreadable " + file) + "\n";
  }
  // Probe templates of --templates: other requests, other findings.
  for (const auto& t : templates) {
    material += "[templates] " + t + "\n";
    if (std::filesystem::is_directory(t)) {
      HashTree(t, material);
    } else {
      auto h = Sha256File(t);
      material += (h ? *h : "unreadable") + "\n";
    }
  }
  return Sha256Hex(AsBytes(material));
}

std::string InputHash(const Assessment& a) {
  if (a.inputs.size() == 1 && !a.inputs.front().sha256.empty()) return a.inputs.front().sha256;
  std::string material;
  for (const auto& in : a.inputs)
    material += std::string(InputKindName(in.kind)) + ":" +
                (in.sha256.empty() ? in.name : in.sha256) + "\n";
  return Sha256Hex(AsBytes(material));
}

RunRecord MakeRecord(const Assessment& a, json report, std::string version,
                     std::string rules_hash) {
  RunRecord r;
  r.product = a.product;
  r.version = std::move(version);
  r.started = a.started_at;
  r.finished = a.finished_at;
  r.tool_version = a.tool_version;
  r.rules_hash = std::move(rules_hash);
  r.input_hash = InputHash(a);
  r.status = "ok";
  for (const auto& in : a.inputs) {
    if (in.status == "failed") r.status = "failed";
    if (in.status == "partial" && r.status == "ok") r.status = "partial";
  }
  for (const auto& p : a.problems) {
    if (p.level == "error" && r.error.empty()) r.error = p.message;
  }
  for (const auto& f : a.findings) {
    json ev = f.evidence;
    r.findings.push_back(
        {StableFingerprint(f), f.check_id, SeverityName(f.severity), f.title, f.provisions, ev});
  }
  for (const auto& v : a.verdicts) r.verdicts.push_back({v.standard, v.id, VerdictName(v.verdict)});
  if (a.standard != "en303645-v2") {
    for (const auto& v : a.provision_verdicts)
      r.verdicts.push_back({v.standard, v.id, VerdictName(v.verdict)});
  }
  for (const auto& g : a.guidelines)
    r.verdicts.push_back({"cop2018", g.id, VerdictName(g.verdict)});
  for (const auto* c : a.facts.OfKind("component")) r.components.push_back(ComponentOf(*c));
  for (const auto* s : a.facts.OfKind("service")) r.services.push_back(ServiceOf(*s));
  r.report = std::move(report);
  return r;
}

}  // namespace iotcop::store
