// Corpus expectations for the component, binary, update and communication collectors: corpus 03
// (OpenWrt 12.09, opkg status is the ground truth), 05 (kernel-only uImage, Linux 4.9.87) and 15
// (D-Link camera root filesystem, OpenSSL 0.9.8o, BusyBox 1.12.1). Skipped without the corpus; the
// images that need the unpacker skip while it reports kUnsupported.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <sstream>

#include "core/fact_kinds.h"
#include "support/firmware_support.h"
#include "support/test_support.h"
#include "unpack/engine.h"
#include "vuln/version.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;

std::map<std::string, std::string> Components(const FactStore& facts) {
  std::map<std::string, std::string> out;
  for (const Fact* f : facts.OfKind(facts::kComponent)) {
    out.emplace(f->value["name"].get<std::string>(), f->value["version"].get<std::string>());
  }
  return out;
}

// Unpacks corpus image `name` into `tmp`, or says why not.
std::optional<unpack::UnpackResult> Unpack(const test::TempDir& tmp, const std::string& name,
                                           std::string& why) {
  const auto corpus = test::CorpusDir();
  if (corpus.empty() || !fs::exists(corpus / name)) {
    why = "corpus image " + name + " absent";
    return std::nullopt;
  }
  unpack::UnpackOptions o;
  o.out_dir = tmp.path() / "x";
  auto r = unpack::UnpackImage(corpus / name, o);
  if (!r) {
    why = "unpacker: " + r.error().Describe();
    return std::nullopt;
  }
  if (r->tree.entries().empty()) {
    why = "the unpacker does not handle this image yet";
    return std::nullopt;
  }
  return std::move(r).value();
}

TEST(FirmwareComponentsCorpus, Image15CameraComponentsAndBinaries) {
  test::TempDir tmp;
  std::string why;
  const auto root = test::ExtractCorpus15(tmp.path(), why);
  if (root.empty()) GTEST_SKIP() << why;
  auto facts = test::Collect(test::TreeOf(root), {"binaries", "components", "communication"});
  const auto c = Components(facts);
  ASSERT_TRUE(c.count("openssl")) << "libssl/libcrypto version string";
  EXPECT_EQ(c.at("openssl"), "0.9.8o");
  ASSERT_TRUE(c.count("busybox"));
  EXPECT_EQ(c.at("busybox"), "1.12.1");
  EXPECT_GE(facts.OfKind(facts::kBinary).size(), 20u);
}

TEST(FirmwareComponentsCorpus, Image03MatchesOpkgGroundTruth) {
  test::TempDir tmp;
  std::string why;
  auto r = Unpack(tmp, "03_librarybox2.1-openwrt12.09.2_tl-wr703n-v1_factory.bin", why);
  if (!r) GTEST_SKIP() << why;
  auto facts = test::Collect(r->tree, {"components", "updates", "binaries"});
  const auto c = Components(facts);
  ASSERT_TRUE(c.count("busybox"));
  EXPECT_EQ(c.at("busybox"), "1.19.4");
  ASSERT_TRUE(c.count("dnsmasq"));
  EXPECT_EQ(c.at("dnsmasq"), "2.66");
  ASSERT_TRUE(c.count("linux"));
  EXPECT_EQ(c.at("linux"), "3.3.8");
  ASSERT_TRUE(c.count("dropbear"));
  EXPECT_EQ(c.at("dropbear"), "2011.54");
  // Every installed package of the opkg status is a component with its upstream version.
  const unpack::Entry* status = nullptr;
  for (auto root : r->tree.SystemRoots()) {
    if ((status = r->tree.Find(root, "/usr/lib/opkg/status"))) break;
  }
  ASSERT_TRUE(status);
  auto text = r->tree.Read(*status);
  ASSERT_TRUE(text.ok());
  std::size_t packages = 0;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Package: ")) ++packages;
  }
  std::size_t from_opkg = 0;
  for (const Fact* f : facts.OfKind(facts::kComponent)) {
    if (f->value["source"] == "opkg") ++from_opkg;
  }
  EXPECT_GE(packages, 30u);
  EXPECT_EQ(from_opkg, packages);
  // OpenWrt's opkg and sysupgrade are found as update mechanisms.
  EXPECT_FALSE(test::FactsWhere(facts, facts::kUpdateMechanism, "mechanism", "opkg").empty());
  EXPECT_FALSE(test::FactsWhere(facts, facts::kUpdateMechanism, "mechanism", "sysupgrade").empty());
  // MIPS big-endian binaries.
  auto bb = test::FactsWhere(facts, facts::kBinary, "path", "/bin/busybox");
  ASSERT_EQ(bb.size(), 1u);
  EXPECT_EQ(bb[0]->value["arch"], "mips");
}

TEST(FirmwareComponentsCorpus, Image05KernelVersionInTheSbom) {
  test::TempDir tmp;
  std::string why;
  auto r = Unpack(tmp, "05_openwrt_ar71xx_linux-4.9.87_uImage-lzma.bin", why);
  if (!r) GTEST_SKIP() << why;
  auto facts = test::Collect(r->tree, {"components"});
  const auto c = Components(facts);
  ASSERT_TRUE(c.count("linux")) << "the \"Linux version\" banner of the decompressed kernel";
  EXPECT_EQ(c.at("linux"), "4.9.87");
  auto linux = test::FactsWhere(facts, facts::kComponent, "name", "linux");
  EXPECT_EQ(linux[0]->value["cpe"], "cpe:2.3:o:linux:linux_kernel:4.9.87:*:*:*:*:*:*:*");
  ASSERT_EQ(facts.OfKind(facts::kOperatingSystem).size(), 1u);
}

}  // namespace
}  // namespace iotcop
