// File: store/batch.cc
#include "store/batch.h"
#include "core/strings.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

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

std::vector<BatchItem> SelectShard(std::vector<BatchItem> items, Shard shard) {
  std::stable_sort(items.begin(), items.end(),
                   [](const BatchItem& a, const BatchItem& b) { return a.key < b.key; });
  std::vector<BatchItem> out;
  for (std::size_t k = 0; k < items.size(); ++k)
    if (k % shard.count == shard.index) out.push_back(std::move(items[k]));
  return out;
}

}  // namespace iotcop::store
