#include "unpack/engine.h"

namespace iotcop::unpack {

// Placeholder until the handler engine lands: only refuses, never pretends.
Result<UnpackResult> UnpackImage(const std::filesystem::path& image, const UnpackOptions&) {
  return MakeError(Errc::kUnsupported, "firmware image unpacking is not built yet", image.string());
}

}  // namespace iotcop::unpack
