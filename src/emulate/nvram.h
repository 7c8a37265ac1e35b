// File: emulate/nvram.h
// What firmware expects of its nvram, under emulation (docs/emulation.md): the services read
// their settings (ports, admin passwords, LAN addresses) with nvram_get() from a vendor library
// that talks to flash through a kernel driver the emulation does not have. The image's own
// defaults (firmware/nvram.h: text tables first, then the tables compiled into nvram programs and
// libraries; the first value of a key wins) are written to /.iotcop/nvram/defaults of the copy and
// served by the nvram shim (emulate/shim/libnvram.c, built for each architecture and carried in
// the binary): preloaded
// where the image's loader honours LD_PRELOAD, and standing in for each vendor nvram library
// (libnvram*.so*, libshared.so*, libacos_shared.so*) by its name through LD_LIBRARY_PATH, with the
// vendor's file still loaded behind it for everything the shim does not define. The keys the
// services asked for and the defaults lack are read back as evidence.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "emulate/sandbox.h"
#include "unpack/tree.h"

namespace iotcop::emulate {

struct NvramSetup {
  std::size_t defaults = 0;                // keys served
  std::vector<std::string> sources;        // the image's files they come from
  std::vector<std::string> interposed;     // vendor libraries stood in for (paths in the image)
  std::set<std::string> variants;          // shim variants in place ("mips", "armhf", ...)
  std::vector<std::string> missing_shims;  // variants the services need and this build lacks
  std::vector<OwnFile> files;              // for /.iotcop of the copy
};

// The architecture (core/elf.h names) and shim variant of the ELF file at `path` of the root
// (both "" when it is none).
struct ProgramArch {
  std::string arch, variant;
};
ProgramArch ProgramArchOf(const unpack::Tree& tree, std::uint32_t root, const std::string& path);

// The shim variant of a program of architecture `arch` (core/elf.h names) whose ELF header starts
// `head`: "armhf" for ARM programs of the hard-float ABI, else `arch`.
std::string NvramVariant(const std::string& arch, ByteView head);

// The shim for `variant` as this binary carries it (empty when it was built without clang);
// `interpose` picks the build that stands in for a vendor library.
std::string_view NvramShim(const std::string& variant, bool interpose);

// The defaults of root `root` and the shim files for `variants`.
NvramSetup PlanNvram(const unpack::Tree& tree, std::uint32_t root,
                     const std::set<std::string>& variants);

// The environment that makes a service of `variant` use the shim ("" entries left out); empty when
// the variant's shim is not in place.
std::vector<std::string> NvramEnvironment(const NvramSetup& setup, const std::string& variant);

// The keys the services read and the defaults lack, in the order first asked, at most `max`.
std::vector<std::string> NvramMisses(const Sandbox& sandbox, std::size_t max);

// The report's account (extras.emulation.<input>.nvram): defaults served and their files, the
// libraries stood in for, the shims in place or missing, and the keys missed (with a sandbox).
nlohmann::json DescribeNvram(const NvramSetup& setup, const Sandbox* sandbox);
// One line of it for people (iotcop emulate).
std::string NvramLine(const NvramSetup& setup);

}  // namespace iotcop::emulate
