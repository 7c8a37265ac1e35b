#include "cli/common.h"

#include <iostream>

#include "declaration/schema.h"

namespace iotcop::cli {

std::optional<Catalogue> LoadCatalogueOrReport() {
  auto c = Catalogue::Load(Catalogue::DefaultDir());
  if (!c) {
    std::cerr << "iotcop: catalogue: " << c.error().Describe() << "\n";
    return std::nullopt;
  }
  return std::move(c).value();
}

bool DeclarationSchemaOrReport(const Catalogue* catalogue) {
  const auto& s = declaration::BuiltinSchema(catalogue);
  if (!s) std::cerr << "iotcop: declaration schema: " << s.error().Describe() << "\n";
  return s.ok();
}

}  // namespace iotcop::cli
