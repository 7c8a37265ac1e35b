// File: firmware/collector.h
// A firmware collector turns an unpacked tree into facts with evidence, one concern per file in
// collectors/ (accounts, services, keys, binaries, components, updates, communication, disclosure).
// Collectors never judge: they say what is there; checks/ decide what it means.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/assessment.h"
#include "core/evidence.h"
#include "core/fact.h"
#include "unpack/tree.h"

namespace iotcop::firmware {

struct FirmwareInput {
  const unpack::Tree& tree;
  std::string input;                    // the image as the user named it
  const CheckConfig* config = nullptr;  // user options collectors honour (--credentials)
};

struct CollectorDoc {
  std::string name;                   // "accounts"
  std::string description;            // one line
  std::vector<std::string> produces;  // fact kinds
};

class Collector {
 public:
  virtual ~Collector() = default;
  virtual const CollectorDoc& doc() const = 0;
  virtual void Collect(const FirmwareInput& in, FactStore& facts,
                       std::vector<Problem>& problems) const = 0;
};

// A collector that is its doc and one function (most are).
using CollectFunction = void (*)(const FirmwareInput&, FactStore&, std::vector<Problem>&);
std::unique_ptr<const Collector> MakeFunctionCollector(CollectorDoc doc, CollectFunction fn);

// In the order of collectors/collectors.def.
const std::vector<std::unique_ptr<const Collector>>& BuiltinCollectors();

// Evidence naming a file of the tree, optionally a line (1-based) or byte offset, with an excerpt
// that the caller has already redacted.
Evidence FileEvidence(const FirmwareInput& in, const unpack::Entry& e,
                      std::optional<std::uint32_t> line, std::string excerpt,
                      std::optional<std::uint64_t> offset = std::nullopt);

// Runs every collector over the tree; a collector that throws becomes a Problem.
void CollectFirmware(const FirmwareInput& in, FactStore& facts, std::vector<Problem>& problems);

}  // namespace iotcop::firmware
