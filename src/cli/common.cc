#include "cli/common.h"

#include <iostream>

namespace iotcop::cli {

std::optional<Catalogue> LoadCatalogueOrReport() {
  auto c = Catalogue::Load(Catalogue::DefaultDir());
  if (!c) {
    std::cerr << "iotcop: catalogue: " << c.error().Describe() << "\n";
    return std::nullopt;
  }
  return std::move(c).value();
}

}  // namespace iotcop::cli
