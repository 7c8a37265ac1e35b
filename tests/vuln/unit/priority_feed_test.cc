// The priority feeds are hostile input like the others (vuln/priority.h): every field of a CISA
// KEV record given each wrong JSON type skips that record only, named with the input, the CVE (or
// index) and the field; an EPSS line that is not `CVE,probability,probability` is named with its
// line; a gzip stream is bounded.
#include <gtest/gtest.h>

#include <zlib.h>

#include <nlohmann/json.hpp>

#include "support/json_mutations.h"
#include "vuln/priority.h"

namespace iotcop {
namespace {
using nlohmann::json;

json PriorityKevRecord(const std::string& cve) {
  json r = json::parse(R"({"vendorProject": "BusyBox", "product": "BusyBox",
    "vulnerabilityName": "BusyBox issue", "dateAdded": "2026-11-02", "shortDescription": "d",
    "requiredAction": "a", "dueDate": "2026-11-23", "knownRansomwareCampaignUse": "Known",
    "notes": "n", "cwes": ["CWE-787"]})");
  r["cveID"] = cve;
  return r;
}

TEST(PriorityFeeds, EveryKevFieldOfTheWrongTypeSkipsItsRecordOnly) {
  const json rec = PriorityKevRecord("CVE-2020-0001");
  std::vector<test::JsonMutation> mutations{{json::json_pointer(""), "vulnerabilities[0]"}};
  test::WalkJson(rec, json::json_pointer(""), "", mutations);
  int cases = 0;
  for (const auto& m : mutations) {
    for (const json& wrong : test::WrongTypesFor(rec[m.where])) {
      json mutated = rec;
      mutated[m.where] = wrong;
      const json doc = {{"vulnerabilities", {mutated, PriorityKevRecord("CVE-2020-0002")}}};
      SCOPED_TRACE(m.path + " = " + wrong.dump());
      std::vector<std::string> problems;
      Result<std::vector<vuln::KevEntry>> r = std::vector<vuln::KevEntry>{};
      ASSERT_NO_THROW(r = vuln::ParseKev(doc.dump(), "kev.json", &problems));
      ASSERT_TRUE(r.ok()) << r.error().Describe();
      ASSERT_EQ(r->size(), 1u);
      EXPECT_EQ(r->front().cve, "CVE-2020-0002");
      ASSERT_EQ(problems.size(), 1u);
      const bool id_lost = m.where.empty() || m.path == "cveID";
      const std::string expected = std::string("kev.json: record ") +
                                   (id_lost ? "#0" : "CVE-2020-0001") + ": " + m.path +
                                   ": expected ";
      EXPECT_TRUE(problems[0].starts_with(expected)) << problems[0] << "\nexpected: " << expected;
      EXPECT_TRUE(problems[0].ends_with(std::string(", got ") + wrong.type_name())) << problems[0];
      ++cases;
    }
  }
  EXPECT_GT(cases, 50);
  std::vector<std::string> problems;
  auto bad_id = vuln::ParseKev(json{{"vulnerabilities", {PriorityKevRecord("CVE-20x")}}}.dump(),
                               "kev.json", &problems);
  ASSERT_TRUE(bad_id.ok());
  EXPECT_TRUE(bad_id->empty());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "kev.json: record #0: cveID: not a CVE id: \"CVE-20x\"");
  EXPECT_FALSE(vuln::ParseKev("[1]", "kev.json", nullptr).ok());
  EXPECT_FALSE(vuln::ParseKev("{\"vulnerabilities\": {}}", "kev.json", nullptr).ok());
  EXPECT_FALSE(vuln::ParseKev("{", "kev.json", nullptr).ok());
}

TEST(PriorityFeeds, EpssLinesAreCheckedOneByOne) {
  const std::string csv =
      "#model_version:v2025.03.14,score_date:2026-12-06T00:00:00+0000\n"
      "cve,epss,percentile\r\n"
      "CVE-2020-0001,0.5,0.9\r\n"
      "CVE-2020-0002,1.5,0.9\n"
      "CVE-2020-0003,0.1,-0.1\n"
      "CVE-2020-0004,0.1\n"
      "not-a-cve,0.1,0.2\n"
      "CVE-2020-0005,0.1,0.2,extra\n"
      "CVE-2020-0006, 0.000120000 ,1\n";
  std::vector<std::string> problems;
  std::string date;
  auto r = vuln::ParseEpssCsv(csv, "epss.csv.gz", &problems, &date);
  ASSERT_TRUE(r.ok()) << r.error().Describe();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].cve, "CVE-2020-0001");
  EXPECT_DOUBLE_EQ((*r)[1].score, 0.00012);
  EXPECT_EQ(date, "2026-12-06T00:00:00+0000");
  ASSERT_EQ(problems.size(), 5u);
  EXPECT_EQ(problems[0],
            "epss.csv.gz: line 4: record CVE-2020-0002: epss: expected a number in [0, 1], got "
            "\"1.5\"");
  EXPECT_EQ(problems[1],
            "epss.csv.gz: line 5: record CVE-2020-0003: percentile: expected a number in [0, 1], "
            "got \"-0.1\"");
  EXPECT_EQ(problems[2], "epss.csv.gz: line 6: expected 3 fields (cve,epss,percentile), got 2");
  EXPECT_EQ(problems[3], "epss.csv.gz: line 7: cve: not a CVE id: \"not-a-cve\"");
  EXPECT_EQ(problems[4],
            "epss.csv.gz: line 8: expected 3 fields (cve,epss,percentile), got 4 or more");
  EXPECT_FALSE(vuln::ParseEpssCsv("cve,score\nCVE-2020-0001,0.1\n", "e", nullptr).ok());
  EXPECT_FALSE(vuln::ParseEpssCsv("", "e", nullptr).ok());
}

std::string PriorityGzip(const std::string& text) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, text.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(PriorityFeeds, GunzipIsBoundedAndNamesCorruption) {
  const std::string text(100000, 'a');
  const std::string gz = PriorityGzip(text);
  auto ok = vuln::GunzipBounded(AsBytes(gz), "e.gz", 1 << 20);
  ASSERT_TRUE(ok.ok()) << ok.error().Describe();
  EXPECT_EQ(*ok, text);
  auto big = vuln::GunzipBounded(AsBytes(gz), "e.gz", 1000);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().Describe().find("decompresses to more than 1000 bytes"), std::string::npos)
      << big.error().Describe();
  std::string cut = gz.substr(0, gz.size() / 2);
  cut[cut.size() - 1] ^= 0x55;
  auto broken = vuln::GunzipBounded(AsBytes(cut), "e.gz", 1 << 20);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().Describe().find("e.gz"), std::string::npos);
}

}  // namespace
}  // namespace iotcop
