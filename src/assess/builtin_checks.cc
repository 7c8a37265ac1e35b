// The list of built-in checks: each folder that has checks keeps a checks.def of
// IOTCOP_CHECK(MakeFunction) lines (IOTCOP_CHECK_FAMILY for a function returning several); the
// order is the order of `iotcop checks` and the reports.
#include "assess/builtin_checks.h"

#include <memory>
#include <vector>

namespace iotcop {

#define IOTCOP_CHECK(factory) std::unique_ptr<const Check> factory();
#define IOTCOP_CHECK_FAMILY(factory) std::vector<std::unique_ptr<const Check>> factory();
#include "declaration/checks/checks.def"
#include "firmware/checks/checks.def"
#include "network/checks/checks.def"
#include "traffic/checks/checks.def"
#undef IOTCOP_CHECK
#undef IOTCOP_CHECK_FAMILY

const CheckList& BuiltinChecks() {
  static const CheckList kChecks = [] {
    std::vector<std::unique_ptr<const Check>> v;
#define IOTCOP_CHECK(factory) v.push_back(factory());
#define IOTCOP_CHECK_FAMILY(factory) \
  for (auto& c : factory()) v.push_back(std::move(c));
#include "declaration/checks/checks.def"
#include "firmware/checks/checks.def"
#include "network/checks/checks.def"
#include "traffic/checks/checks.def"
#undef IOTCOP_CHECK
#undef IOTCOP_CHECK_FAMILY
    return v;
  }();
  return kChecks;
}

}  // namespace iotcop
