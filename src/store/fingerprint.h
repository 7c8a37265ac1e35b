// File: store/fingerprint.h
// The store's finding fingerprint, which matches a finding across runs and firmware versions
// (docs/store.md): SHA-256 over the check id and the finding's subject (Finding::subject: the
// check's key, such as the user name and file, key fingerprint or component name, with carve
// offsets already dropped by SubjectKey) without the input's name (image file names change between
// versions). Nothing positional or counted takes part: evidence may grow or move and the finding
// stays the same one. Findings stored before subjects existed fall back to the check's key hash
// and their evidence locators, normalised the same way (offsets, lines, packet numbers dropped).
#pragma once

#include <string>

#include "core/finding.h"

namespace iotcop::store {

// "0x40.squashfs!/etc/shadow" -> "squashfs!/etc/shadow"; "fw-1.2.bin" (the input) is never used.
std::string NormalisedLocator(const Evidence& e);
// 16 hex digits.
std::string StableFingerprint(const Finding& f);

}  // namespace iotcop::store
