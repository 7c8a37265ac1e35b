// File: store/batch.cc
#include "store/batch.h"
#include "core/strings.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

namespace iotcop::store {
namespace fs = std::filesystem;

namespace {}  // namespace

Result<std::vector<BatchItem>> ParseBatchList(std::string_view text, const std::string& origin,
                                              const fs::path& base) {
  std::vector<BatchItem> items;
  std::uint64_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (raw.size() > kMaxBatchLine)
      return MakeError(Errc::kLimitExceeded,
                       "line " + std::to_string(line_no) + " is longer than " +
                           std::to_string(kMaxBatchLine) + " bytes",
                       origin, line_no);
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (line.find('\0') != std::string_view::npos)
      return MakeError(Errc::kCorrupt, "line " + std::to_string(line_no) + " holds a NUL byte",
                       origin, line_no);
    if (items.size() >= kMaxBatchItems)
      return MakeError(Errc::kLimitExceeded,
                       "more than " + std::to_string(kMaxBatchItems) + " items", origin, line_no);
    BatchItem item;
    item.key = std::string(line);
    if (line.starts_with("host:")) {
      const std::string_view addr = Trim(line.substr(5));
      if (addr.empty())
        return MakeError(Errc::kInvalidArgument,
                         "line " + std::to_string(line_no) + ": host: without an address", origin,
                         line_no);
      item.host = true;
      item.target = item.name = std::string(addr);
    } else {
      const fs::path p(std::string{line});
      item.target = (p.is_absolute() ? p : base / p).lexically_normal().string();
      item.name = p.filename().string();
      if (item.name.empty())
        return MakeError(Errc::kInvalidArgument,
                         "line " + std::to_string(line_no) + ": not a file path", origin, line_no);
    }
    items.push_back(std::move(item));
  }
  return items;
}

Result<std::vector<BatchItem>> BatchItemsOf(const fs::path& dir_or_list) {
  std::error_code ec;
  if (fs::is_directory(dir_or_list, ec)) {
    std::vector<BatchItem> items;
    for (auto it = fs::recursive_directory_iterator(dir_or_list, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
      BatchItem item;
      item.target = it->path().string();
      item.name = it->path().filename().string();
      item.key = fs::relative(it->path(), dir_or_list, ec).generic_string();
      items.push_back(std::move(item));
      if (items.size() > kMaxBatchItems)
        return MakeError(Errc::kLimitExceeded,
                         "more than " + std::to_string(kMaxBatchItems) + " files",
                         dir_or_list.string());
    }
    if (ec) return MakeError(Errc::kIo, "cannot list: " + ec.message(), dir_or_list.string());
    std::sort(items.begin(), items.end(),
              [](const BatchItem& a, const BatchItem& b) { return a.key < b.key; });
    return items;
  }
  std::ifstream in(dir_or_list, std::ios::binary);
  if (!in)
    return MakeError(Errc::kIo, "cannot read (not a folder or a list file)", dir_or_list.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseBatchList(ss.str(), dir_or_list.string(), dir_or_list.parent_path());
}

Result<Shard> ParseShard(std::string_view text) {
  const auto slash = text.find('/');
  Shard s;
  auto num = [](std::string_view t, std::size_t& out) {
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    return ec == std::errc() && p == t.data() + t.size() && !t.empty();
  };
  if (slash == std::string_view::npos || !num(text.substr(0, slash), s.index) ||
      !num(text.substr(slash + 1), s.count) || s.count == 0 || s.index >= s.count)
    return MakeError(Errc::kInvalidArgument, "expected I/N with 0 <= I < N, e.g. 0/4",
                     std::string(text));
  return s;
}

namespace {
void SortByKey(std::vector<BatchItem>& items) {
  std::stable_sort(items.begin(), items.end(),
                   [](const BatchItem& a, const BatchItem& b) { return a.key < b.key; });
}
}  // namespace

std::vector<BatchItem> SelectShard(std::vector<BatchItem> items, Shard shard) {
  SortByKey(items);
  std::vector<BatchItem> out;
  for (std::size_t k = 0; k < items.size(); ++k)
    if (k % shard.count == shard.index) out.push_back(std::move(items[k]));
  return out;
}

std::vector<std::pair<std::string, std::size_t>> ShardOfEachItem(std::vector<BatchItem> items,
                                                                 std::size_t count) {
  SortByKey(items);
  std::vector<std::pair<std::string, std::size_t>> out;
  out.reserve(items.size());
  for (std::size_t k = 0; k < items.size(); ++k)
    out.emplace_back(std::move(items[k].key), k % std::max<std::size_t>(count, 1));
  return out;
}

std::string BatchSource(const fs::path& dir_or_list) {
  std::error_code ec;
  fs::path p = fs::absolute(dir_or_list, ec).lexically_normal();
  if (ec) p = dir_or_list.lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p.string();
}

namespace {
ShardProgress TotalOf(const BatchProgress& b) {
  ShardProgress all;
  for (const auto& s : b.per_shard) {
    all.items += s.items;
    all.stored += s.stored;
    all.failed += s.failed;
    all.remaining += s.remaining;
  }
  return all;
}
}  // namespace

void BatchStatusText(const std::vector<BatchProgress>& batches, std::ostream& out) {
  if (batches.empty()) {
    out << "No batch recorded in this store (iotcop batch records one when it starts).\n";
    return;
  }
  for (const auto& b : batches) {
    const ShardProgress all = TotalOf(b);
    out << fmt::format("Batch {} of {}: {} shard{}, started {}, rules {}\n", b.id, b.source,
                       b.shards, b.shards == 1 ? "" : "s", b.started, b.rules_hash.substr(0, 12));
    out << fmt::format("  {:>9} {:>8} {:>8} {:>8} {:>10}\n", "shard", "items", "stored", "failed",
                       "remaining");
    for (const auto& s : b.per_shard)
      out << fmt::format("  {:>9} {:>8} {:>8} {:>8} {:>10}\n",
                         fmt::format("{}/{}", s.shard, b.shards), s.items, s.stored, s.failed,
                         s.remaining);
    out << fmt::format("  {:>9} {:>8} {:>8} {:>8} {:>10}\n", "all", all.items, all.stored,
                       all.failed, all.remaining);
    out << (all.remaining == 0
                ? (all.failed == 0 ? "  done\n" : "  done; failed items are retried by a rerun\n")
                : "  in progress (or stopped: rerun a shard to resume it)\n");
  }
}

nlohmann::json BatchStatusJson(const std::vector<BatchProgress>& batches) {
  auto counts = [](const ShardProgress& s) {
    return nlohmann::json{
        {"items", s.items}, {"stored", s.stored}, {"failed", s.failed}, {"remaining", s.remaining}};
  };
  nlohmann::json list = nlohmann::json::array();
  for (const auto& b : batches) {
    nlohmann::json j = counts(TotalOf(b));
    j["id"] = b.id;
    j["source"] = b.source;
    j["shards"] = b.shards;
    j["rules_hash"] = b.rules_hash;
    j["started"] = b.started;
    j["per_shard"] = nlohmann::json::array();
    for (const auto& s : b.per_shard) {
      nlohmann::json e = counts(s);
      e["shard"] = s.shard;
      j["per_shard"].push_back(std::move(e));
    }
    list.push_back(std::move(j));
  }
  return nlohmann::json{{"batches", std::move(list)}};
}

}  // namespace iotcop::store
