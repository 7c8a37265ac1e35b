// The registry of built-in format handlers, in handlers/formats.def order.
#include <memory>
#include <vector>

#include "unpack/handler.h"

namespace iotcop::unpack {

#define IOTCOP_FORMAT(fn) std::unique_ptr<Handler> fn();
#include "unpack/handlers/formats.def"
#undef IOTCOP_FORMAT

const std::vector<std::unique_ptr<Handler>>& BuiltinHandlers() {
  static const auto* handlers = [] {
    auto* v = new std::vector<std::unique_ptr<Handler>>;
#define IOTCOP_FORMAT(fn) v->push_back(fn());
#include "unpack/handlers/formats.def"
#undef IOTCOP_FORMAT
    return v;
  }();
  return *handlers;
}

const Handler* FindHandler(std::string_view id) {
  for (const auto& h : BuiltinHandlers()) {
    if (h->doc().id == id) return h.get();
  }
  return nullptr;
}

}  // namespace iotcop::unpack
