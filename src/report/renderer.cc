#include "report/renderer.h"

namespace iotcop::report {

#define IOTCOP_RENDERER(factory) std::unique_ptr<const Renderer> factory();
#include "report/renderers.def"
#undef IOTCOP_RENDERER

const std::vector<std::unique_ptr<const Renderer>>& BuiltinRenderers() {
  static const std::vector<std::unique_ptr<const Renderer>> kRenderers = [] {
    std::vector<std::unique_ptr<const Renderer>> v;
#define IOTCOP_RENDERER(factory) v.push_back(factory());
#include "report/renderers.def"
#undef IOTCOP_RENDERER
    return v;
  }();
  return kRenderers;
}

const Renderer* FindRenderer(std::string_view name) {
  for (const auto& r : BuiltinRenderers())
    if (r->doc().name == name) return r.get();
  return nullptr;
}

}  // namespace iotcop::report
