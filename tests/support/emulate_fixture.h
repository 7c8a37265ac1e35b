// File: support/emulate_fixture.h
// What the emulation tests share: a corpus image by its number, and the emulation's own files
// (emulate::OwnFile, as PlanNvram makes them) written into /.iotcop of a root folder, the way the
// sandbox writes them into its copy, so a program can run against them in a chroot.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "emulate/sandbox.h"

namespace iotcop::test {

// The corpus image whose file name starts with `prefix` ("03_"); empty when absent.
std::filesystem::path CorpusImage(const std::string& prefix);

// Writes `files` under root/.iotcop (folders made, symbolic links made as links).
void WriteOwnFiles(const std::filesystem::path& root, const std::vector<emulate::OwnFile>& files);

}  // namespace iotcop::test
