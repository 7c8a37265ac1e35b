// File: store/batch.h
// What `iotcop batch` works through: the items of a folder (every regular file below it, sorted)
// or of a list file (one image path or `host:ADDRESS` per line, # comments), and the
// deterministic split of those items into shards (--shard I/N: item k of the sorted list goes to
// shard k mod N), so that N schedulers' tasks cover every item exactly once.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <iosfwd>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "store/store.h"

namespace iotcop::store {

struct BatchItem {
  bool host = false;   // a live device (host: line) rather than an image
  std::string target;  // image path (absolute or relative to the working folder) or address
  std::string name;    // product name: the image's file name, or the address
  std::string key;     // what sorting and sharding use: path relative to the folder or list line
};

inline constexpr std::size_t kMaxBatchLine = 4096;
inline constexpr std::size_t kMaxBatchItems = 1000000;

// Parses a list file's text; relative image paths are taken relative to `base`. Errors name
// `origin` and the line (as the offset field: 1-based line number).
Result<std::vector<BatchItem>> ParseBatchList(std::string_view text, const std::string& origin,
                                              const std::filesystem::path& base);
// A folder (every regular file below it, symlinks not followed) or a list file.
Result<std::vector<BatchItem>> BatchItemsOf(const std::filesystem::path& dir_or_list);

struct Shard {
  std::size_t index = 0, count = 1;
};
// "I/N" with 0 <= I < N.
Result<Shard> ParseShard(std::string_view text);
// The items of one shard, in key order.
std::vector<BatchItem> SelectShard(std::vector<BatchItem> items, Shard shard);
// Every item's key with the shard it falls in when split `count` ways (the manifest a batch
// records in the store: Store::OpenBatch).
std::vector<std::pair<std::string, std::size_t>> ShardOfEachItem(std::vector<BatchItem> items,
                                                                 std::size_t count);
// A batch's source as recorded in the store: the folder or list as an absolute path, without a
// trailing separator, so that every shard (and --status) names it alike.
std::string BatchSource(const std::filesystem::path& dir_or_list);

// iotcop batch --status: per recorded batch, items stored, failed and remaining per shard and in
// all; as a table for people, or JSON for programs.
void BatchStatusText(const std::vector<BatchProgress>& batches, std::ostream& out);
nlohmann::json BatchStatusJson(const std::vector<BatchProgress>& batches);

}  // namespace iotcop::store
