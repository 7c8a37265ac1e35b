// File: tests/support/firmware_fixture.h
// Runs the firmware collectors and every built-in check over a folder a test wrote, the way
// `iotcop assess --firmware FOLDER` does, and gives the test easy access to facts, findings and
// per-provision outcomes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/assessment.h"
#include "unpack/tree.h"

namespace iotcop::test {

struct FirmwareRun {
  Assessment a;
  std::vector<const Finding*> Findings(std::string_view check_id) const;
  std::vector<const Fact*> Facts(std::string_view kind) const;
  // The first fact of `kind` whose value[field] is the string `value`, or nullptr.
  const Fact* FactWhere(std::string_view kind, const std::string& field,
                        const std::string& value) const;
  // The outcome a check gave a provision, or nullptr.
  const Outcome* OutcomeOf(std::string_view check_id, std::string_view provision) const;
  // Every report text (titles, messages, excerpts, fact values) joined: to assert a secret is
  // absent.
  std::string AllText() const;
};

FirmwareRun AssessFolder(const std::filesystem::path& dir, const CheckConfig& config = {});
// The same over a tree the unpacker made.
FirmwareRun AssessTree(const unpack::Tree& tree, const CheckConfig& config = {});

// Writes `content` to dir/rel with the given mode (creating folders).
void WriteMode(const std::filesystem::path& dir, const std::string& rel, const std::string& content,
               std::filesystem::perms mode);
// The mode of an image's executable scripts (rwxr--r--), and a script written with it to dir/rel
// (creating folders).
inline constexpr std::filesystem::perms kScriptMode = std::filesystem::perms::owner_all |
                                                      std::filesystem::perms::group_read |
                                                      std::filesystem::perms::others_read;
void WriteScript(const std::filesystem::path& dir, const std::string& rel,
                 const std::string& content);
// Creates a symlink dir/rel -> target (creating folders).
void Symlink(const std::filesystem::path& dir, const std::string& rel, const std::string& target);
// Runs a shell command that must succeed; returns its stdout without the trailing newline.
std::string MustRun(const std::string& command);

}  // namespace iotcop::test
