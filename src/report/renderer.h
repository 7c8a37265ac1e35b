// File: report/renderer.h
// A renderer turns one Assessment into one output format. One file per format; the list is
// renderers.def. Renderers are pure: same assessment, same bytes (apart from what it records).
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/assessment.h"
#include "core/catalogue.h"
#include "core/result.h"

namespace iotcop::report {

struct RendererDoc {
  std::string name;       // --format value: "json"
  std::string extension;  // file name in the output folder: "report.json"
  std::string description;
};

class Renderer {
 public:
  virtual ~Renderer() = default;
  virtual const RendererDoc& doc() const = 0;
  virtual Status Render(const Assessment& a, const Catalogue& catalogue,
                        std::ostream& out) const = 0;
};

const std::vector<std::unique_ptr<const Renderer>>& BuiltinRenderers();
const Renderer* FindRenderer(std::string_view name);

// The JSON document of an assessment (schema docs/report-json.md); also the base of other formats.
nlohmann::json AssessmentJson(const Assessment& a, const Catalogue& catalogue);
inline constexpr const char* kJsonSchema = "iotcop-assessment/1";

}  // namespace iotcop::report
