// The registry of built-in format handlers, in handlers/formats.def order.
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "unpack/handler.h"

namespace iotcop::unpack {

#define IOTCOP_FORMAT(id, fn) std::unique_ptr<Handler> fn();
#include "unpack/handlers/formats.def"
#undef IOTCOP_FORMAT

const std::vector<std::unique_ptr<Handler>>& BuiltinHandlers() {
  static const auto* handlers = [] {
    auto* v = new std::vector<std::unique_ptr<Handler>>;
#define IOTCOP_FORMAT(id, fn) v->push_back(fn());
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

const std::vector<BuiltinMagic>& BuiltinMagics() {
  static const auto* magics = [] {
    auto* v = new std::vector<BuiltinMagic>;
    const auto& handlers = BuiltinHandlers();
    for (std::size_t i = 0; i < handlers.size(); ++i) {
      for (auto& m : handlers[i]->magics()) {  // magics() builds its vector per call
        if (m.bytes.size() >= 2)
          v->push_back({handlers[i].get(), i, std::move(m.bytes), m.at, m.anywhere});
      }
    }
    return v;
  }();
  return *magics;
}

std::size_t KnownMagicHeadBytes() {
  static const std::size_t n = [] {
    std::size_t end = 0;
    for (const auto& m : BuiltinMagics()) end = std::max<std::size_t>(end, m.at + m.bytes.size());
    return end;
  }();
  return n;
}

bool StartsWithKnownMagic(ByteView head) {
  for (const auto& m : BuiltinMagics()) {
    if (Fits(head.size(), m.at, m.bytes.size()) &&
        std::memcmp(head.data() + m.at, m.bytes.data(), m.bytes.size()) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace iotcop::unpack
