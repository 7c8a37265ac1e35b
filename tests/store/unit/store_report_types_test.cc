// The store reads fields of a report document it is given (a batch worker's report.json, a stored
// run): the verdict counts when saving, each guideline's verdict in the fleet summary. A field of
// another JSON type is read as absent, never thrown out as "internal error".
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "store/fleet.h"
#include "store/store.h"
#include "support/test_support.h"

namespace iotcop {
namespace {
using nlohmann::json;

TEST(StoreReportTypes, VerdictCountsOfTheWrongTypeAreReadAsZero) {
  test::TempDir t;
  auto s = store::OpenStore((t / "results.db").string());
  ASSERT_TRUE(s) << s.error().Describe();
  for (const json& summary :
       {json{{"verdicts", {{"PASS", "7"}, {"FAIL", 2}, {"INCONCLUSIVE", nullptr}}}},
        json{{"verdicts", json::array()}}, json("summary")}) {
    store::RunRecord run;
    run.product = "p";
    run.status = "ok";
    run.report = {{"summary", summary}};
    Result<std::int64_t> id = std::int64_t{0};
    ASSERT_NO_THROW(id = (*s)->Save(run)) << summary.dump();
    ASSERT_TRUE(id) << id.error().Describe();
    auto back = (*s)->Summary(*id);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->pass, 0);
    EXPECT_EQ(back->fail, summary.contains("verdicts") && summary["verdicts"].is_object() ? 2 : 0);
  }
}

TEST(StoreReportTypes, GuidelinesOfTheWrongTypeDoNotStopTheFleetSummary) {
  store::FleetRow row;
  row.product = "p";
  row.outcome = "assessed";
  row.guidelines = json::array({{{"id", "1"}, {"verdict", 3}},
                                {{"id", "2"}, {"title", 5}, {"verdict", "PASS"}},
                                {{"id", 2}},
                                "3"});
  std::ostringstream text, csv, html;
  EXPECT_NO_THROW(store::FleetText({row}, text));
  EXPECT_NO_THROW(store::FleetCsv({row}, csv));
  EXPECT_NO_THROW(store::FleetHtml({row}, html));
  EXPECT_FALSE(text.str().empty());
}

}  // namespace
}  // namespace iotcop
