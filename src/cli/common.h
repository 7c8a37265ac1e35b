// File: cli/common.h
#pragma once

#include <optional>
#include <string>

#include "core/catalogue.h"

namespace iotcop::cli {

// Loads the catalogue or prints one clear line and returns nullopt.
std::optional<Catalogue> LoadCatalogueOrReport();

}  // namespace iotcop::cli
