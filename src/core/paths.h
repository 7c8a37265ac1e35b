// File: core/paths.h
// Where iotcop's run-time data (catalogue/, rules/, schema/) lives: $IOTCOP_DATA, else
// <binary>/../share/iotcop (true both for the build tree and an installed prefix).
#pragma once

#include <filesystem>

namespace iotcop {

std::filesystem::path DataDir();

}  // namespace iotcop
