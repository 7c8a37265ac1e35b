// Image signature collector: whether the image itself is signed. A U-Boot FIT image carries
// signature nodes for verified boot; the FIT handler lists them in /signatures.txt of the FIT's
// root (one line per node), and a FIT without that file has none. Emits `image_signature` facts.
#include <fmt/format.h>

#include "core/fact_kinds.h"
#include "firmware/collector.h"

namespace iotcop::firmware {
namespace {

void Collect(const FirmwareInput& in, FactStore& facts, std::vector<Problem>&) {
  const auto& tree = in.tree;
  for (std::uint32_t r = 0; r < tree.roots().size(); ++r) {
    const unpack::Root& root = tree.roots()[r];
    if (root.origin.empty() || root.origin.back().handler != "fit") continue;
    const unpack::Entry* top = tree.Find(r, "/", false);
    const unpack::Entry* list = tree.Find(r, "/signatures.txt", false);
    std::vector<std::string> nodes;
    if (list) {
      if (auto text = tree.Read(*list, 64 * 1024)) {
        std::size_t start = 0;
        while (start < text->size()) {
          std::size_t end = text->find('\n', start);
          if (end == std::string::npos) end = text->size();
          if (end > start) nodes.push_back(text->substr(start, end - start));
          start = end + 1;
        }
      }
    }
    const unpack::Entry* where = list ? list : top;
    if (!where) {
      for (const auto& e : tree.entries()) {
        if (e.root == r) {
          where = &e;
          break;
        }
      }
    }
    if (!where) continue;
    Evidence ev = FileEvidence(in, *where, list ? std::optional<std::uint32_t>(1) : std::nullopt,
                               nodes.empty() ? "(no signature node in the FIT)" : nodes.front(),
                               std::nullopt);
    ev.offset = root.origin.back().offset;
    facts.Add(
        facts::kImageSignature,
        {{"format", "fit"}, {"signed", !nodes.empty()}, {"signatures", nodes}, {"root", root.name}},
        ev, "image-signature");
  }
}

}  // namespace

std::unique_ptr<const Collector> MakeImageSignatureCollector() {
  return MakeFunctionCollector(
      {"image-signature",
       "whether the image is signed (FIT signature nodes for verified boot)",
       {facts::kImageSignature}},
      Collect);
}

}  // namespace iotcop::firmware
