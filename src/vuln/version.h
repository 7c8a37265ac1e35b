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

// How a distribution orders its package versions.
//  - kDpkg: dpkg's order (Debian, Ubuntu; opkg uses the same algorithm):
//  [epoch:]upstream[-revision],
//    each part compared by dpkg's verrevcmp, where '~' sorts before anything, even the end
//    (1.0~rc1 < 1.0), letters before other characters, and digit runs numerically.
//  - kApk: apk-tools' order (Alpine): 1.2.3[a][_rc1|_p2...][-r4].
//  - kGeneric: CompareVersions() above (upstream versions, CPE ranges).
enum class VersionScheme { kGeneric, kDpkg, kApk };
int CompareVersions(std::string_view a, std::string_view b, VersionScheme scheme);
int CompareDpkgVersions(std::string_view a, std::string_view b);
// A string that is not an apk version falls back to the generic order.
int CompareApkVersions(std::string_view a, std::string_view b);
// The scheme of an OSV ecosystem ("Debian:12", "Alpine:v3.19", "OpenWrt"); kGeneric otherwise.
VersionScheme SchemeOfEcosystem(std::string_view ecosystem);

// The upstream part of a package version: "1:2.66-4" -> "2.66", "3.3.8-1" -> "3.3.8".
std::string UpstreamVersion(std::string_view package_version);

}  // namespace iotcop::vuln
