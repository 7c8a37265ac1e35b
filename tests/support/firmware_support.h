// File: tests/support/firmware_support.h
// Helpers for firmware collector and check tests: run named collectors over a tree, run one check
// over the facts, build a tree from a folder.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/assessment.h"
#include "core/check.h"
#include "core/fact.h"
#include "unpack/tree.h"

namespace iotcop::test {

// Runs the built-in collectors named in `names` (CollectorDoc::name) over `tree`, with the user's
// options `config` (--vulndb, --credentials) when given.
FactStore Collect(const unpack::Tree& tree, const std::vector<std::string>& names,
                  std::vector<Problem>* problems = nullptr, const CheckConfig* config = nullptr);

struct CheckResult {
  std::vector<Finding> findings;
  std::vector<Outcome> outcomes;
  bool ok = true;
  std::string error;
};
// Runs the built-in check `id` over `facts`.
CheckResult RunCheck(const std::string& id, const FactStore& facts, const CheckConfig& config = {});

// Tree::FromDirectory, failing the test (via exception) when it cannot be built.
unpack::Tree TreeOf(const std::filesystem::path& dir);

// Facts of `kind` whose value has `field` == `value`.
std::vector<const Fact*> FactsWhere(const FactStore& facts, const std::string& kind,
                                    const std::string& field, const std::string& value);

}  // namespace iotcop::test

namespace iotcop::test {

// Extracts corpus image 15 (a tar.gz of a root filesystem) below `into` and returns the root
// folder, or an empty path (with `why` set) when the corpus or tar is absent.
std::filesystem::path ExtractCorpus15(const std::filesystem::path& into, std::string& why);

}  // namespace iotcop::test
