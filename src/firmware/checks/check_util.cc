#include "firmware/checks/check_util.h"

#include <algorithm>

#include "protocols/address.h"

namespace iotcop::fwcheck {
namespace {

class FunctionCheck final : public Check {
 public:
  FunctionCheck(CheckDoc doc, CheckFunction fn) : doc_(std::move(doc)), fn_(fn) {}
  const CheckDoc& doc() const override { return doc_; }
  Status Run(CheckContext& ctx) const override { return fn_(ctx); }

 private:
  CheckDoc doc_;
  CheckFunction fn_;
};

}  // namespace

std::unique_ptr<const Check> MakeFunctionCheck(CheckDoc doc, CheckFunction fn) {
  return std::make_unique<FunctionCheck>(std::move(doc), fn);
}

Finding FindingOn(std::vector<const Fact*> basis, std::string title, std::string message,
                  Severity severity, std::vector<std::string> provisions) {
  Finding f;
  f.title = std::move(title);
  f.message = std::move(message);
  f.severity = severity;
  f.provisions = std::move(provisions);
  for (const Fact* b : basis) {
    if (!b || std::find(f.facts.begin(), f.facts.end(), b->id) != f.facts.end()) continue;
    f.facts.push_back(b->id);
    f.evidence.push_back(b->evidence);
  }
  return f;
}

bool IsShell(std::string_view program) {
  while (!program.empty() && program.front() == '-') program.remove_prefix(1);
  const auto slash = program.rfind('/');
  const std::string_view b = slash == std::string_view::npos ? program : program.substr(slash + 1);
  return b == "sh" || b == "ash" || b == "bash" || b == "hush" || b == "dash" || b == "zsh" ||
         b == "ksh";
}

std::string AddressPort(const Fact& f) {
  return protocols::HostPort(Str(f, "address"), f.value.value("port", std::uint16_t{0}));
}

std::string Str(const Fact& f, const char* field) {
  auto it = f.value.find(field);
  return it != f.value.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace iotcop::fwcheck
