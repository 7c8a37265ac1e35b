// The registry of built-in format handlers, in handlers/formats.def order.
#include <algorithm>
#include <cstring>
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

namespace {

struct HeadMagic {
  std::string bytes;
  std::uint64_t at;
};

// Every handler's magic (two bytes or more), computed once: magics() builds its vector per call.
const std::vector<HeadMagic>& HeadMagics() {
  static const auto* magics = [] {
    auto* v = new std::vector<HeadMagic>;
    for (const auto& h : BuiltinHandlers()) {
      for (auto& m : h->magics()) {
        if (m.bytes.size() >= 2) v->push_back({std::move(m.bytes), m.at});
      }
    }
    return v;
  }();
  return *magics;
}

}  // namespace

std::size_t KnownMagicHeadBytes() {
  static const std::size_t n = [] {
    std::size_t end = 0;
    for (const auto& m : HeadMagics()) end = std::max<std::size_t>(end, m.at + m.bytes.size());
    return end;
  }();
  return n;
}

bool StartsWithKnownMagic(ByteView head) {
  for (const auto& m : HeadMagics()) {
    if (Fits(head.size(), m.at, m.bytes.size()) &&
        std::memcmp(head.data() + m.at, m.bytes.data(), m.bytes.size()) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace iotcop::unpack
