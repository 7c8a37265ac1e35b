// File: store/fingerprint.h
// The store's finding fingerprint, which matches a finding across runs and firmware versions
// (docs/store.md): SHA-256 over the check id, the check's own key (Finding::fingerprint: the key
// value such as the user name, key fingerprint or component name) and the finding's evidence
// locators normalised so that nothing positional is left: the input's name (image file names
// change between versions), byte offsets, line and packet numbers are dropped, and unpack-folder
// names ("0x40.squashfs", "sample.bin.extracted") lose their offsets and extensions.
#pragma once

#include <string>

#include "core/finding.h"

namespace iotcop::store {

// "0x40.squashfs!/etc/shadow" -> "squashfs!/etc/shadow"; "fw-1.2.bin" (the input) is never used.
std::string NormalisedLocator(const Evidence& e);
// 16 hex digits.
std::string StableFingerprint(const Finding& f);

}  // namespace iotcop::store
