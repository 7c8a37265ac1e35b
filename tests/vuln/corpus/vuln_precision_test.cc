// Component identification measured against the hand-labelled components of the corpus images
// (tests/vuln/data/corpus-components.tsv, issue 18's Targets). Each image is unpacked and the
// firmware assessment's `components` collector runs over its tree, as `iotcop assess` does; every
// distinct (name, version) it reports is scored against the labels of that image:
//  - true positive: a labelled name with one of its labelled versions;
//  - false positive: a name that is not labelled, or a labelled name with a version that is not
//    the labelled one (a wrong version misleads vulnerability matching as much as a wrong name);
//  - false negative: a labelled (name, version) that nothing reported matches.
// Labels without version evidence ("-") are not counted; a report of such a name is listed as
// unverifiable. The table and precision/recall are printed.
//
// The floors asserted at the end are a REGRESSION GUARD, not a target: they are what this test
// measured when it was written (see docs/vulndb.md, "Identification measured on the corpus"). The
// lead raises them when new signatures land; lowering one needs a reason in the commit.
// Skipped when the corpus (../shared/corpus) is absent.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "core/fact_kinds.h"
#include "support/firmware_support.h"
#include "support/test_support.h"
#include "unpack/engine.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;

struct VpLabel {
  std::string name;
  std::vector<std::string> versions;  // alternatives; empty: no version evidence
};

// image number ("03") -> its labels.
std::map<std::string, std::vector<VpLabel>> VpReadLabels() {
  std::map<std::string, std::vector<VpLabel>> out;
  std::ifstream in(fs::path(IOTCOP_SOURCE_DIR) / "tests/vuln/data/corpus-components.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.starts_with('#')) continue;
    std::vector<std::string> cols;
    std::istringstream fields(line);
    for (std::string c; std::getline(fields, c, '\t');) cols.push_back(c);
    if (cols.size() != 5) {
      ADD_FAILURE() << "corpus-components.tsv: not 5 columns: " << line;
      continue;
    }
    VpLabel l{cols[1], {}};
    if (cols[2] != "-") {
      std::istringstream alts(cols[2]);
      for (std::string v; std::getline(alts, v, '|');) l.versions.push_back(v);
    }
    out[cols[0]].push_back(std::move(l));
  }
  return out;
}

struct VpScore {
  std::size_t tp = 0, fp = 0, fn = 0, unverifiable = 0;
  std::vector<std::string> fp_list, fn_list;
};

VpScore VpScoreImage(const std::set<std::pair<std::string, std::string>>& reported,
                     const std::vector<VpLabel>& labels) {
  VpScore s;
  std::vector<bool> found(labels.size(), false);
  for (const auto& rv : reported) {
    // Not a structured binding: clang 14 (the sanitizer build) cannot capture one in a lambda.
    const std::string& name = rv.first;
    const std::string& version = rv.second;
    bool hit = false, named_unversioned = false;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i].name != name) continue;
      if (labels[i].versions.empty()) named_unversioned = true;
      for (const auto& v : labels[i].versions) {
        if (v == version) {
          hit = true;
          found[i] = true;
        }
      }
    }
    if (hit) {
      ++s.tp;
    } else if (named_unversioned &&
               std::none_of(labels.begin(), labels.end(), [&](const VpLabel& l) {
                 return l.name == name && !l.versions.empty();
               })) {
      ++s.unverifiable;
    } else {
      ++s.fp;
      s.fp_list.push_back(name + " " + version);
    }
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (found[i] || labels[i].versions.empty()) continue;
    ++s.fn;
    s.fn_list.push_back(labels[i].name + " " + labels[i].versions.front());
  }
  return s;
}

std::string VpJoin(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

TEST(VulnPrecisionCorpus, ComponentIdentificationAgainstHandLabels) {
  const fs::path corpus = test::CorpusDir();
  if (corpus.empty()) GTEST_SKIP() << "corpus absent (../shared/corpus/images)";
  const auto labels = VpReadLabels();
  ASSERT_FALSE(labels.empty());

  std::vector<fs::path> images;
  for (const auto& e : fs::directory_iterator(corpus)) images.push_back(e.path());
  std::sort(images.begin(), images.end());
  ASSERT_FALSE(images.empty());

  VpScore total;
  std::string table = fmt::format("{:<6}{:>5}{:>5}{:>5}{:>8}  {}\n", "image", "TP", "FP", "FN",
                                  "unverif", "false positives | false negatives");
  for (const fs::path& image : images) {
    const std::string number = image.filename().string().substr(0, 2);
    test::TempDir tmp;
    unpack::UnpackOptions o;
    o.out_dir = tmp.path() / "x";
    auto r = unpack::UnpackImage(image, o);
    ASSERT_TRUE(r) << image << ": " << r.error().Describe();
    const FactStore facts = test::Collect(r->tree, {"components"});
    std::set<std::pair<std::string, std::string>> reported;
    for (const Fact* f : facts.OfKind(facts::kComponent))
      reported.emplace(f->value["name"].get<std::string>(), f->value["version"].get<std::string>());
    const auto it = labels.find(number);
    const VpScore s =
        VpScoreImage(reported, it == labels.end() ? std::vector<VpLabel>{} : it->second);
    table += fmt::format("{:<6}{:>5}{:>5}{:>5}{:>8}  {} | {}\n", number, s.tp, s.fp, s.fn,
                         s.unverifiable, VpJoin(s.fp_list), VpJoin(s.fn_list));
    total.tp += s.tp;
    total.fp += s.fp;
    total.fn += s.fn;
    total.unverifiable += s.unverifiable;
  }
  const double precision =
      total.tp + total.fp ? static_cast<double>(total.tp) / (total.tp + total.fp) : 0;
  const double recall =
      total.tp + total.fn ? static_cast<double>(total.tp) / (total.tp + total.fn) : 0;
  table += fmt::format("{:<6}{:>5}{:>5}{:>5}{:>8}  precision {:.3f}, recall {:.3f}\n", "all",
                       total.tp, total.fp, total.fn, total.unverifiable, precision, recall);
  std::cout << table;
  RecordProperty("precision", fmt::format("{:.3f}", precision));
  RecordProperty("recall", fmt::format("{:.3f}", recall));

  // Regression guard: the counts measured with the 325 signatures of rules/components.yaml
  // (docs/vulndb.md). Raise them as identification improves.
  EXPECT_GE(total.tp, 92u) << table;
  EXPECT_LE(total.fp, 9u) << table;
  EXPECT_LE(total.fn, 19u) << table;
  EXPECT_GE(precision, 0.91) << table;
  EXPECT_GE(recall, 0.82) << table;
}

}  // namespace
}  // namespace iotcop
