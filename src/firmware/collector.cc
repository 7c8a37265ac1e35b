#include "firmware/collector.h"

#include <exception>

namespace iotcop::firmware {

#define IOTCOP_COLLECTOR(factory) std::unique_ptr<const Collector> factory();
#include "firmware/collectors/collectors.def"
#undef IOTCOP_COLLECTOR

const std::vector<std::unique_ptr<const Collector>>& BuiltinCollectors() {
  static const std::vector<std::unique_ptr<const Collector>> kCollectors = [] {
    std::vector<std::unique_ptr<const Collector>> v;
#define IOTCOP_COLLECTOR(factory) v.push_back(factory());
#include "firmware/collectors/collectors.def"
#undef IOTCOP_COLLECTOR
    return v;
  }();
  return kCollectors;
}

namespace {
class FunctionCollector final : public Collector {
 public:
  FunctionCollector(CollectorDoc doc, CollectFunction fn) : doc_(std::move(doc)), fn_(fn) {}
  const CollectorDoc& doc() const override { return doc_; }
  void Collect(const FirmwareInput& in, FactStore& facts,
               std::vector<Problem>& problems) const override {
    fn_(in, facts, problems);
  }

 private:
  CollectorDoc doc_;
  CollectFunction fn_;
};
}  // namespace

std::unique_ptr<const Collector> MakeFunctionCollector(CollectorDoc doc, CollectFunction fn) {
  return std::make_unique<FunctionCollector>(std::move(doc), fn);
}

Evidence FileEvidence(const FirmwareInput& in, const unpack::Entry& e,
                      std::optional<std::uint32_t> line, std::string excerpt,
                      std::optional<std::uint64_t> offset) {
  Evidence ev;
  ev.source = InputKind::kFirmware;
  ev.input = in.input;
  ev.path = in.tree.DisplayPath(e);
  ev.line = line;
  ev.offset = offset;
  ev.excerpt = BoundExcerpt(excerpt);
  return ev;
}

void CollectFirmware(const FirmwareInput& in, FactStore& facts, std::vector<Problem>& problems) {
  for (const auto& c : BuiltinCollectors()) {
    try {
      c->Collect(in, facts, problems);
    } catch (const std::exception& e) {
      problems.push_back({"error", "collect", in.input, "", std::nullopt,
                          c->doc().name + " collector: internal error: " + e.what()});
    }
  }
}

}  // namespace iotcop::firmware
