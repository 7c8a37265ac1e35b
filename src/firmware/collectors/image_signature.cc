// Image signature collector: whether the image itself is signed. A U-Boot FIT image carries
// signature nodes for verified boot; the FIT handler lists them in /signatures.txt of the FIT's
// root (one line per node), and a FIT without that file has none. Signatures appended to the whole
// image (OpenWrt fwtool trailers, Android AVB footers: firmware/image_trailers.h) are read from
// the end of the image file. Emits `image_signature` facts.
#include <fmt/format.h>

#include <map>
#include <system_error>

#include "core/fact_kinds.h"
#include "firmware/collector.h"
#include "firmware/image_trailers.h"
#include "unpack/mapped_file.h"

namespace iotcop::firmware {
namespace {

// Trailers at the end of the image file itself (not of what was unpacked from it).
void CollectTrailers(const FirmwareInput& in, FactStore& facts, std::vector<Problem>& problems) {
  std::error_code ec;
  if (in.input.empty() || !std::filesystem::is_regular_file(in.input, ec)) return;
  auto file = unpack::MappedFile::Open(in.input);
  if (!file) return;  // the unpacker already reported an unreadable image
  auto trailers = ParseImageTrailers(file->view(), in.input);
  if (!trailers) {
    problems.push_back({"warning", "collect", in.input, "", trailers.error().offset,
                        "image signature trailer: " + trailers.error().what});
    return;
  }
  // One fact per format: fwtool chains metadata and signature chunks.
  std::map<std::string, std::vector<const ImageTrailer*>> by_format;
  for (const auto& t : *trailers) by_format[t.format].push_back(&t);
  for (const auto& [format, list] : by_format) {
    nlohmann::json chunks = nlohmann::json::array();
    std::vector<std::string> signatures;
    for (const ImageTrailer* t : list) {
      chunks.push_back(
          {{"kind", t->kind}, {"offset", t->offset}, {"size", t->size}, {"detail", t->detail}});
      if (t->is_signature)
        signatures.push_back(fmt::format("{} at {}: {}", t->kind, t->offset, t->detail));
    }
    Evidence ev;
    ev.source = InputKind::kFirmware;
    ev.input = in.input;
    ev.offset = list.front()->offset;
    ev.excerpt =
        BoundExcerpt(fmt::format("{} {}: {}", format, list.front()->kind, list.front()->detail));
    facts.Add(facts::kImageSignature,
              {{"format", format},
               {"signed", !signatures.empty()},
               {"signatures", signatures},
               {"trailers", chunks}},
              ev, "image-signature");
  }
}

void CollectImageSignature(const FirmwareInput& in, FactStore& facts,
                           std::vector<Problem>& problems) {
  CollectTrailers(in, facts, problems);
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
       "whether the image is signed (FIT signature nodes, OpenWrt fwtool and Android AVB "
       "trailers)",
       {facts::kImageSignature}},
      CollectImageSignature);
}

}  // namespace iotcop::firmware
