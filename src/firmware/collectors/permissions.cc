// Permissions collector: setuid and setgid programs and world-writable files and folders (without
// the sticky bit) in the image, from the tree's recorded modes. Emits `file_permission` facts.
#include <fmt/format.h>

#include "core/evidence.h"
#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "firmware/text.h"

namespace iotcop::firmware {
namespace {

using unpack::EntryType;

void CollectPermissions(const FirmwareInput& in, FactStore& facts, std::vector<Problem>&) {
  for (const auto& e : in.tree.entries()) {
    if (e.type != EntryType::kFile && e.type != EntryType::kDir) continue;
    if (e.path.starts_with("/dev/") || e.path.starts_with("/proc/") || e.path.starts_with("/sys/"))
      continue;
    std::vector<std::string> issues;
    if (e.type == EntryType::kFile && (e.mode & 04000)) issues.push_back("setuid");
    if (e.type == EntryType::kFile && (e.mode & 02000) && (e.mode & 0010))
      issues.push_back("setgid");
    if ((e.mode & 0002) && !(e.type == EntryType::kDir && (e.mode & 01000)))
      issues.push_back("world-writable");
    for (const auto& issue : issues) {
      const std::string mode = fmt::format("{:04o}", e.mode & 07777);
      facts.Add(facts::kFilePermission,
                {{"path", in.tree.DisplayPath(e)},
                 {"mode", mode},
                 {"owner", e.uid},
                 {"group", e.gid},
                 {"type", unpack::EntryTypeName(e.type)},
                 {"issue", issue}},
                FileEvidence(in, e, std::nullopt,
                             fmt::format("mode {} uid {} gid {}", mode, e.uid, e.gid)),
                "permissions");
    }
  }
}

}  // namespace

std::unique_ptr<const Collector> MakePermissionsCollector() {
  return MakeFunctionCollector(
      {"permissions", "setuid/setgid programs and world-writable files", {facts::kFilePermission}},
      CollectPermissions);
}

}  // namespace iotcop::firmware
