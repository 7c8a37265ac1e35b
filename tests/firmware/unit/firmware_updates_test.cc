// Update mechanism and communication settings: fixture trees both ways (a cleartext, unverified
// vendor updater and cleartext MQTT must be flagged; HTTPS with usign -V and TLS configs must
// not), and the sample product's fw-update and cloud.conf.
#include <gtest/gtest.h>

#include <set>

#include "core/fact_kinds.h"
#include "support/firmware_support.h"
#include "support/test_support.h"
#include "verdict/applicability.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;

constexpr const char* kBadUpdater = R"(#!/bin/sh
# fw-update - fetch the newest firmware and flash it
URL=http://update.vendor.invalid/fw/latest.bin
wget -q -O /tmp/fw.bin "$URL" && mtd write /tmp/fw.bin firmware && reboot
)";

constexpr const char* kGoodUpdater = R"(#!/bin/sh
# fw-update - fetch, verify, flash
# (old: http://update.vendor.invalid/fw/latest.bin)
URL=https://update.vendor.invalid/fw/latest.bin
wget -q -O /tmp/fw.bin "$URL" || exit 1
wget -q -O /tmp/fw.bin.sig "$URL.sig" || exit 1
usign -V -m /tmp/fw.bin -P /etc/opkg/keys || exit 1
mtd write /tmp/fw.bin firmware && reboot
)";

unpack::Tree Fixture(const test::TempDir& tmp, const std::string& updater,
                     const std::string& cloud_conf) {
  const fs::path root = tmp.path() / "root";
  test::WriteFile(root / "usr/sbin/fw-update", updater);
  test::WriteFile(root / "etc/cloud.conf", cloud_conf);
  test::WriteFile(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  return test::TreeOf(root);
}

TEST(Updates, CleartextUnverifiedVendorUpdaterIsFlagged) {
  test::TempDir tmp;
  auto tree = Fixture(tmp, kBadUpdater, "");
  auto facts = test::Collect(tree, {"updates"});
  auto mech = facts.OfKind(facts::kUpdateMechanism);
  ASSERT_EQ(mech.size(), 1u);
  EXPECT_EQ(mech[0]->value["mechanism"], "vendor");
  EXPECT_EQ(mech[0]->value["transport"], "http");
  EXPECT_EQ(mech[0]->value["url"], "http://update.vendor.invalid/fw/latest.bin");
  EXPECT_EQ(mech[0]->value["verifies_signature"], false);
  EXPECT_EQ(mech[0]->evidence.path, "/usr/sbin/fw-update");
  EXPECT_EQ(mech[0]->evidence.line, 4u) << "the line that writes flash";
  auto prop = ResolveProperty(facts, "update_mechanism");
  ASSERT_TRUE(prop);
  EXPECT_TRUE(prop->value);
  auto net = ResolveProperty(facts, "updates_over_network");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->value);
  auto r = test::RunCheck("fw.updates.integrity", facts);
  ASSERT_EQ(r.findings.size(), 2u);
  std::set<std::string> provisions;
  for (const auto& f : r.findings) {
    EXPECT_EQ(f.severity, Severity::kHigh);
    provisions.insert(f.provisions.begin(), f.provisions.end());
  }
  EXPECT_TRUE(provisions.count("5.3-7") && provisions.count("5.3-9") && provisions.count("5.3-10"));
}

TEST(Updates, HttpsWithUsignVerificationIsNotFlagged) {
  test::TempDir tmp;
  auto tree = Fixture(tmp, kGoodUpdater, "");
  auto facts = test::Collect(tree, {"updates"});
  auto mech = facts.OfKind(facts::kUpdateMechanism);
  ASSERT_EQ(mech.size(), 1u);
  EXPECT_EQ(mech[0]->value["transport"], "https") << "the commented-out URL does not count";
  EXPECT_EQ(mech[0]->value["verifies_signature"], true);
  auto r = test::RunCheck("fw.updates.integrity", facts);
  EXPECT_TRUE(r.findings.empty());
  bool pass_9 = false;
  for (const auto& o : r.outcomes) {
    if (o.provision == "5.3-9") pass_9 = o.verdict == Verdict::kPass;
    if (o.provision == "5.7-1") {
      EXPECT_EQ(o.verdict, Verdict::kInconclusive);
    }
  }
  EXPECT_TRUE(pass_9);
}

TEST(Updates, OpkgFeedsWithoutSignatureCheckAreFlaggedAndWithKeysAreNot) {
  test::TempDir tmp;
  const fs::path root = tmp.path() / "root";
  test::WriteFile(root / "bin/opkg",
                  "\x7f"
                  "ELF");
  test::WriteFile(root / "etc/opkg.conf",
                  "src/gz packages http://downloads.openwrt.org/x/packages\n");
  auto facts = test::Collect(test::TreeOf(root), {"updates"});
  auto mech = test::FactsWhere(facts, facts::kUpdateMechanism, "mechanism", "opkg");
  ASSERT_EQ(mech.size(), 1u);
  EXPECT_EQ(mech[0]->value["transport"], "http");
  EXPECT_EQ(mech[0]->value["verifies_signature"], false);
  EXPECT_EQ(test::RunCheck("fw.updates.integrity", facts).findings.size(), 2u);
  test::WriteFile(
      root / "etc/opkg.conf",
      "src/gz packages https://downloads.openwrt.org/x/packages\noption check_signature 1\n");
  test::WriteFile(root / "etc/opkg/keys/b5043e70f9a75cde", "untrusted comment: key\nRWS...\n");
  auto good = test::Collect(test::TreeOf(root), {"updates"});
  EXPECT_TRUE(test::RunCheck("fw.updates.integrity", good).findings.empty());
}

TEST(Updates, NoMechanismIsInconclusiveNotPass) {
  test::TempDir tmp;
  auto tree = Fixture(tmp, "#!/bin/sh\necho hello\n", "");
  auto facts = test::Collect(tree, {"updates"});
  EXPECT_TRUE(facts.OfKind(facts::kUpdateMechanism).empty());
  auto prop = ResolveProperty(facts, "update_mechanism");
  ASSERT_TRUE(prop);
  EXPECT_FALSE(prop->value);
  EXPECT_FALSE(ResolveProperty(facts, "updates_over_network")) << "absence is not evidence";
  auto r = test::RunCheck("fw.updates.integrity", facts);
  EXPECT_TRUE(r.findings.empty());
  for (const auto& o : r.outcomes) EXPECT_EQ(o.verdict, Verdict::kInconclusive);
}

TEST(Communication, CleartextMqttAndDisabledVerificationAreFlagged) {
  test::TempDir tmp;
  const fs::path root = tmp.path() / "root";
  test::WriteFile(root / "etc/cloud.conf",
                  "# cloud\nmqtt_url=mqtt://cloud.vendor.invalid:1883\n"
                  "# old=mqtt://legacy.vendor.invalid:1883\n"
                  "local=http://127.0.0.1:8080/api\n");
  test::WriteFile(root / "usr/bin/report",
                  "#!/bin/sh\ncurl -k -s https://api.vendor.invalid/report -d @/tmp/x\n");
  test::WriteFile(root / "etc/mosquitto.conf", "tls_insecure true\n");
  test::WriteFile(root / "etc/lighttpd.conf",
                  "ssl.use-sslv3 = \"enable\"\nssl.cipher-list = \"RC4-SHA:HIGH:!aNULL\"\n");
  test::WriteFile(root / "etc/nginx.conf", "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n");
  test::WriteFile(
      root / "etc/upnp.xml",
      "<root xmlns=\"urn:schemas-upnp-org:device-1-0\">http://www.w3.org/1999/xhtml</root>\n");
  auto facts = test::Collect(test::TreeOf(root), {"communication"});
  auto eps = facts.OfKind(facts::kEndpoint);
  ASSERT_EQ(eps.size(), 2u) << "comment, localhost and namespaces are not endpoints";
  auto mqtt = test::FactsWhere(facts, facts::kEndpoint, "scheme", "mqtt");
  ASSERT_EQ(mqtt.size(), 1u);
  EXPECT_EQ(mqtt[0]->value["host"], "cloud.vendor.invalid");
  EXPECT_EQ(mqtt[0]->value["port"], 1883);
  EXPECT_EQ(mqtt[0]->value["purpose"], "mqtt");
  EXPECT_EQ(mqtt[0]->evidence.line, 2u);
  auto settings = facts.OfKind(facts::kCommSetting);
  std::multiset<std::string> kinds;
  for (const Fact* f : settings) kinds.insert(f->value["setting"].get<std::string>());
  EXPECT_EQ(kinds.count("tls-verification-off"), 2u);  // curl -k, tls_insecure
  EXPECT_EQ(kinds.count("weak-cipher"), 1u);           // RC4-SHA (not !aNULL)
  EXPECT_EQ(kinds.count("weak-protocol"), 3u);         // SSLv3, TLSv1, TLSv1.1
  auto r = test::RunCheck("fw.comms.cleartext-and-tls", facts);
  bool mqtt_flagged = false;
  for (const auto& f : r.findings) {
    if (f.title == "cleartext mqtt endpoint mqtt://cloud.vendor.invalid:1883") {
      mqtt_flagged = true;
      EXPECT_EQ(f.provisions, std::vector<std::string>{"5.5-1"});
    }
  }
  EXPECT_TRUE(mqtt_flagged);
  EXPECT_EQ(r.findings.size(), 1u + 2u + 1u + 3u);
}

TEST(Communication, TlsEndpointsAndStrictConfigsAreNotFlagged) {
  test::TempDir tmp;
  const fs::path root = tmp.path() / "root";
  test::WriteFile(root / "etc/cloud.conf", "mqtt_url=mqtts://cloud.vendor.invalid:8883\n");
  test::WriteFile(root / "usr/bin/report",
                  "#!/bin/sh\ncurl -s --cacert /etc/ca.pem https://api.vendor.invalid/r\n");
  test::WriteFile(root / "etc/nginx.conf",
                  "ssl_protocols TLSv1.2 TLSv1.3;\nssl_ciphers HIGH:!aNULL:!MD5:!RC4;\n");
  test::WriteFile(root / "etc/ssl/openssl.cnf", "MinProtocol = TLSv1.2\n");
  auto facts = test::Collect(test::TreeOf(root), {"communication"});
  EXPECT_EQ(facts.OfKind(facts::kEndpoint).size(), 2u);
  EXPECT_TRUE(facts.OfKind(facts::kCommSetting).empty());
  auto r = test::RunCheck("fw.comms.cleartext-and-tls", facts);
  EXPECT_TRUE(r.findings.empty());
  for (const auto& o : r.outcomes) EXPECT_EQ(o.verdict, Verdict::kInconclusive);
}

TEST(SampleProduct, FwUpdateAndCloudConfAreFlagged) {
  if (!test::HaveTool("unsquashfs")) GTEST_SKIP() << "squashfs-tools not installed";
  test::TempDir tmp;
  auto built =
      test::RunShell(std::string(IOTCOP_SOURCE_DIR) + "/scripts/make-sample-firmware.sh '" +
                     tmp.path().string() + "' 2>&1");
  if (built.exit_code != 0) GTEST_SKIP() << "sample firmware not buildable here: " << built.out;
  auto un = test::RunShell("unsquashfs -no-xattrs -d '" + (tmp.path() / "root").string() + "' '" +
                           (tmp.path() / "rootfs.squashfs").string() + "' 2>&1");
  ASSERT_EQ(un.exit_code, 0) << un.out;
  auto facts = test::Collect(test::TreeOf(tmp.path() / "root"), {"updates", "communication"});
  auto upd = test::RunCheck("fw.updates.integrity", facts);
  std::set<std::string> titles;
  for (const auto& f : upd.findings) titles.insert(f.title);
  EXPECT_TRUE(titles.count("/usr/sbin/fw-update fetches updates over cleartext http"));
  EXPECT_TRUE(titles.count("/usr/sbin/fw-update installs updates without verifying a signature"));
  auto comm = test::RunCheck("fw.comms.cleartext-and-tls", facts);
  titles.clear();
  for (const auto& f : comm.findings) titles.insert(f.title);
  EXPECT_TRUE(titles.count("cleartext mqtt endpoint mqtt://cloud.example-camera.invalid:1883"))
      << comm.findings.size();
}

}  // namespace
}  // namespace iotcop
