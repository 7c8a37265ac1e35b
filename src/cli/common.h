// File: cli/common.h
#pragma once

#include <optional>
#include <string>

#include "core/catalogue.h"

namespace iotcop::cli {

// Loads the catalogue or prints one clear line and returns nullopt.
std::optional<Catalogue> LoadCatalogueOrReport();

// Loads the declaration schema (schema/declaration.yaml, checked against `catalogue` when given,
// else against the catalogue it loads) or prints one clear line and returns false. Every command
// that runs, lists or renders checks needs it.
bool DeclarationSchemaOrReport(const Catalogue* catalogue = nullptr);

}  // namespace iotcop::cli
