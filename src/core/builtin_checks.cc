// The list of built-in checks: each folder that has checks keeps a checks.def of
// IOTCOP_CHECK(MakeFunction) lines; the order is the order of `iotcop checks` and the reports.
#include <memory>
#include <vector>

#include "core/check.h"

namespace iotcop {

#define IOTCOP_CHECK(factory) std::unique_ptr<const Check> factory();
#include "firmware/checks/checks.def"
#undef IOTCOP_CHECK

const std::vector<std::unique_ptr<const Check>>& BuiltinChecks() {
  static const std::vector<std::unique_ptr<const Check>> kChecks = [] {
    std::vector<std::unique_ptr<const Check>> v;
#define IOTCOP_CHECK(factory) v.push_back(factory());
#include "firmware/checks/checks.def"
#undef IOTCOP_CHECK
    return v;
  }();
  return kChecks;
}

}  // namespace iotcop
