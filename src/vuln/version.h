// File: vuln/version.h
// Version comparison for matching components against vulnerability feeds. Firmware versions come
// in many styles: plain numeric (2.66), letters after a number (OpenSSL 1.0.2k, OpenSSH 7.4p1),
// dates (dropbear 2019.78), pre-releases (1.0-rc1, 2.0beta3, 1.0~rc1) and Debian/OpenWrt package
// revisions and epochs (1:2.3-4). One ordering for all of them:
//   numbers compare numerically; a pre-release word (dev, alpha, beta, pre, rc, and a/b directly
//   before a digit) sorts before the release; any other letter sorts after it (1.0.2 < 1.0.2a);
//   a missing part counts as zero (1.0 == 1.0.0).
#pragma once

#include <string>
#include <string_view>

namespace iotcop::vuln {

// <0, 0, >0 as a is older than, the same as, or newer than b.
int CompareVersions(std::string_view a, std::string_view b);

// The upstream part of a package version: "1:2.66-4" -> "2.66", "3.3.8-1" -> "3.3.8".
std::string UpstreamVersion(std::string_view package_version);

}  // namespace iotcop::vuln
