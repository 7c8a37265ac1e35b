// Keys, certificates and secrets: real keys made with openssl, ssh-keygen, dropbearkey and
// puttygen must be found (and one key in two formats must have one fingerprint); placeholders,
// library marker strings, keys generated at boot and low-entropy placeholders must not.
#include <gtest/gtest.h>

#include "core/fact_kinds.h"
#include "credentials/keys.h"
#include "support/firmware_fixture.h"
#include "support/test_support.h"

namespace iotcop {
namespace {

namespace fs = std::filesystem;
using test::AssessFolder;
using test::MustRun;
using test::TempDir;
using test::WriteFile;

using test::Q;

std::vector<const Fact*> RealKeys(const test::FirmwareRun& run) {
  std::vector<const Fact*> out;
  for (const Fact* k : run.Facts(facts::kPrivateKey)) {
    if (!k->value.value("placeholder", false)) out.push_back(k);
  }
  return out;
}

TEST(FirmwareKeys, ParsesEveryPemAndDerFlavour) {
  TempDir t;
  const fs::path k = t / "etc/ssl/private";
  fs::create_directories(k);
  MustRun("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " +
          Q(k / "pkcs8.key") + " 2>/dev/null");
  MustRun("openssl pkey -in " + Q(k / "pkcs8.key") + " -traditional -out " + Q(k / "pkcs1.key"));
  MustRun("openssl ecparam -name prime256v1 -genkey -noout -out " + Q(k / "ec.key"));
  MustRun("openssl pkey -in " + Q(k / "pkcs8.key") + " -aes256 -passout pass:fixture -out " +
          Q(k / "enc.key"));
  MustRun("openssl pkey -in " + Q(k / "ec.key") + " -outform DER -out " + Q(k / "ec.der"));
  MustRun("openssl genpkey -algorithm ED25519 -out " + Q(k / "ed.pem"));
  auto run = AssessFolder(t.path());
  std::map<std::string, const Fact*> by_file;
  for (const Fact* f : RealKeys(run)) by_file[f->value["path"]] = f;
  ASSERT_EQ(by_file.size(), 6u);
  const Fact& pkcs8 = *by_file.at("fw!/etc/ssl/private/pkcs8.key");
  const Fact& pkcs1 = *by_file.at("fw!/etc/ssl/private/pkcs1.key");
  EXPECT_EQ(pkcs8.value["bits"], 2048);
  EXPECT_EQ(pkcs8.value["detail"], "pkcs8");
  EXPECT_EQ(pkcs1.value["detail"], "pkcs1");
  EXPECT_EQ(pkcs8.value["fingerprint"], pkcs1.value["fingerprint"]);
  EXPECT_EQ(pkcs8.value["fingerprint"],
            MustRun("openssl pkey -in " + Q(k / "pkcs8.key") +
                    " -pubout -outform DER | sha256sum | cut -d' ' -f1"));
  EXPECT_EQ(by_file.at("fw!/etc/ssl/private/ec.key")->value["type"], "ec");
  EXPECT_EQ(by_file.at("fw!/etc/ssl/private/ec.der")->value["format"], "der");
  EXPECT_EQ(by_file.at("fw!/etc/ssl/private/ed.pem")->value["type"], "ed25519");
  EXPECT_TRUE(by_file.at("fw!/etc/ssl/private/enc.key")->value["encrypted"].get<bool>());
  // One finding per distinct key (the PKCS#1 copy joins the PKCS#8 one, the DER copy the EC one),
  // keyed by fingerprint.
  auto f = run.Findings("fw.keys.baked-private-key");
  EXPECT_EQ(f.size(), 4u);
  for (const Finding* x : f) {
    EXPECT_NE(std::find(x->provisions.begin(), x->provisions.end(), "5.4-3"), x->provisions.end());
    for (const auto& e : x->evidence) EXPECT_EQ(e.excerpt.find("MII"), std::string::npos);
  }
}

TEST(FirmwareKeys, ParsesOpenSshDropbearAndPuttyKeysToTheSameFingerprint) {
  if (!test::HaveTool("dropbearkey") || !test::HaveTool("ssh-keygen") ||
      !test::HaveTool("dropbearconvert"))
    GTEST_SKIP() << "dropbear-bin and openssh-client are needed";
  TempDir t;
  fs::create_directories(t / "etc/dropbear");
  fs::create_directories(t / "root/.ssh");
  MustRun("dropbearkey -t rsa -s 2048 -f " + Q(t / "etc/dropbear/dropbear_rsa_host_key") +
          " >/dev/null 2>&1");
  MustRun("dropbearkey -t ecdsa -s 256 -f " + Q(t / "etc/dropbear/dropbear_ecdsa_host_key") +
          " >/dev/null 2>&1");
  MustRun("dropbearconvert dropbear openssh " + Q(t / "etc/dropbear/dropbear_rsa_host_key") + " " +
          Q(t / "root/.ssh/id_rsa") + " >/dev/null 2>&1");
  MustRun("ssh-keygen -q -t ed25519 -N '' -f " + Q(t / "root/.ssh/id_ed25519"));
  if (test::HaveTool("puttygen"))
    MustRun("puttygen -t rsa -b 2048 --new-passphrase /dev/null -o " + Q(t / "root/key.ppk") +
            " >/dev/null 2>&1");
  auto run = AssessFolder(t.path());
  std::map<std::string, const Fact*> by_file;
  for (const Fact* f : RealKeys(run)) by_file[f->value["path"]] = f;
  const Fact* db = by_file["fw!/etc/dropbear/dropbear_rsa_host_key"];
  const Fact* ossh = by_file["fw!/root/.ssh/id_rsa"];
  ASSERT_TRUE(db && ossh);
  EXPECT_EQ(db->value["format"], "dropbear");
  EXPECT_EQ(ossh->value["format"], "openssh");
  EXPECT_EQ(db->value["bits"], 2048);
  EXPECT_EQ(db->value["fingerprint"], ossh->value["fingerprint"]);
  EXPECT_EQ(db->value["role"], "host");
  ASSERT_TRUE(by_file["fw!/etc/dropbear/dropbear_ecdsa_host_key"]);
  EXPECT_EQ(by_file["fw!/etc/dropbear/dropbear_ecdsa_host_key"]->value["type"], "ec");
  ASSERT_TRUE(by_file["fw!/root/.ssh/id_ed25519"]);
  EXPECT_EQ(by_file["fw!/root/.ssh/id_ed25519"]->value["type"], "ed25519");
  if (test::HaveTool("puttygen")) {
    ASSERT_TRUE(by_file["fw!/root/key.ppk"]);
    EXPECT_EQ(by_file["fw!/root/key.ppk"]->value["format"], "putty");
  }
  // The host key is used for communication: 5.4-4 as well as 5.4-3.
  bool host_finding = false;
  for (const Finding* f : run.Findings("fw.keys.baked-private-key")) {
    if (f->title.find("dropbear_rsa_host_key") == std::string::npos) continue;
    host_finding = true;
    EXPECT_EQ(f->provisions, (std::vector<std::string>{"5.4-3", "5.4-4"}));
    EXPECT_EQ(f->evidence.size(), 2u);  // the Dropbear file and its OpenSSH copy
  }
  EXPECT_TRUE(host_finding);
}

TEST(FirmwareKeys, PlaceholdersMarkerStringsAndBootKeygenAreNotShippedKeys) {
  TempDir t;
  // 0-byte host keys (corpus 03) that the init script fills at first boot.
  WriteFile(t / "etc/dropbear/dropbear_rsa_host_key", "");
  WriteFile(t / "etc/dropbear/dropbear_dss_host_key", "");
  // A crypto library holding PEM markers as parser constants (corpus 15's libcrypto).
  std::string lib(
      "\x7f"
      "ELF",
      4);
  lib += std::string(100, '\0') + "-----BEGIN RSA PRIVATE KEY-----" + std::string(1, '\0') +
         "-----END RSA PRIVATE KEY-----" + std::string(1, '\0') +
         "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n"
         "-----END PRIVATE KEY-----" +
         std::string(50, '\0');
  WriteFile(t / "lib/libcrypto.so.1.0.0", lib);
  fs::create_directories(t / "etc/ssl");
  // A key the unit regenerates at boot, unconditionally.
  MustRun("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
          Q(t / "etc/ssl/https.key"));
  WriteFile(t / "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  test::WriteMode(
      t.path(), "etc/init.d/rcS",
      "#!/bin/sh\n"
      "dropbearkey -t rsa -f /etc/dropbear/dropbear_rsa_host_key\n"
      "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out /etc/ssl/https.key\n"
      "dropbear -r /etc/dropbear/dropbear_rsa_host_key\n",
      fs::perms::owner_all);
  auto run = AssessFolder(t.path());
  EXPECT_TRUE(run.Findings("fw.keys.baked-private-key").empty());
  int placeholders = 0;
  for (const Fact* k : run.Facts(facts::kPrivateKey)) {
    EXPECT_NE(k->value["path"], "fw!/lib/libcrypto.so.1.0.0");
    placeholders += k->value["placeholder"].get<bool>();
  }
  EXPECT_EQ(placeholders, 2);
  const Outcome* o = run.OutcomeOf("fw.keys.baked-private-key", "5.4-3");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->verdict, Verdict::kPass);
}

TEST(FirmwareKeys, KeygenOnlyWhenMissingKeepsTheShippedKey) {
  TempDir t;
  fs::create_directories(t / "etc/ssl");
  MustRun("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
          Q(t / "etc/ssl/https.key"));
  WriteFile(t / "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  test::WriteMode(t.path(), "etc/init.d/rcS",
                  "#!/bin/sh\n[ -s /etc/ssl/https.key ] || openssl genpkey -algorithm EC -out "
                  "/etc/ssl/https.key\n",
                  fs::perms::owner_all);
  auto run = AssessFolder(t.path());
  auto f = run.Findings("fw.keys.baked-private-key");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->message.find("only when it is missing"), std::string::npos);
}

TEST(FirmwareKeys, KnownCompromisedKeyIsCritical) {
  const fs::path sample = fs::path(IOTCOP_SOURCE_DIR) / "samples/camera/keys/camera-web.key";
  if (!fs::exists(sample)) GTEST_SKIP() << "samples/camera/keys is not in this checkout";
  TempDir t;
  WriteFile(t / "etc/ssl/private/camera-web.key", test::ReadFile(sample));
  auto run = AssessFolder(t.path());
  auto f = run.Findings("fw.keys.compromised");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kCritical);

  TempDir u;
  fs::create_directories(u / "etc/ssl/private");
  MustRun("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " +
          Q(u / "etc/ssl/private/fresh.key") + " 2>/dev/null");
  EXPECT_TRUE(AssessFolder(u.path()).Findings("fw.keys.compromised").empty());
}

TEST(FirmwareCertificates, ShortKeySha1AndSelfSignedAreFlaggedButCaSignedSha256IsNot) {
  TempDir t;
  fs::create_directories(t / "etc/ssl");
  MustRun("openssl req -x509 -newkey rsa:1024 -sha1 -nodes -days 30 -subj /CN=weak.local -keyout " +
          Q(t / "../weak.key") + " -out " + Q(t / "etc/ssl/weak.crt") + " 2>/dev/null");
  auto run = AssessFolder(t.path());
  auto f = run.Findings("fw.certificates.weak");
  ASSERT_EQ(f.size(), 3u);  // short key, SHA-1, self-signed
  // Only the short key decides 5.5-1; the self-signature and its hash inform it.
  const std::vector<std::string> p551 = {"5.5-1"};
  int deciding = 0;
  for (const Finding* x : f) {
    if (x->title.find("1024-bit") != std::string::npos) {
      EXPECT_EQ(x->provisions, p551);
      ++deciding;
    } else {
      EXPECT_TRUE(x->provisions.empty()) << x->title;
      EXPECT_EQ(x->informs, p551) << x->title;
    }
  }
  EXPECT_EQ(deciding, 1);

  TempDir u;
  fs::create_directories(u / "etc/ssl");
  const fs::path ca = u / "../ca";
  fs::create_directories(ca);
  MustRun(
      "openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 30 -subj /CN=Fixture-CA -keyout " +
      Q(ca / "ca.key") + " -out " + Q(ca / "ca.crt") + " 2>/dev/null");
  MustRun("openssl req -newkey rsa:2048 -sha256 -nodes -subj /CN=device.local -keyout " +
          Q(ca / "dev.key") + " -out " + Q(ca / "dev.csr") + " 2>/dev/null");
  MustRun("openssl x509 -req -in " + Q(ca / "dev.csr") + " -CA " + Q(ca / "ca.crt") + " -CAkey " +
          Q(ca / "ca.key") + " -CAcreateserial -days 30 -sha256 -out " +
          Q(u / "etc/ssl/device.crt") + " 2>/dev/null");
  EXPECT_TRUE(AssessFolder(u.path()).Findings("fw.certificates.weak").empty());
}

TEST(FirmwareSecrets, TokensAreFoundAndPlaceholdersAreNot) {
  TempDir t;
  WriteFile(t / "etc/cloud.conf",
            "mqtt_url=mqtt://cloud.example.invalid:1883\n"
            "api_token=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n");
  WriteFile(t / "etc/aws.conf", "aws_access_key_id = AKIAQ3EGRV7XJ2K5M4PZ\n");
  auto run = AssessFolder(t.path());
  auto f = run.Findings("fw.secrets.tokens");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(run.AllText().find("4eC39HqLyjWDarjtT1zdp7dc"), std::string::npos);
  for (const Finding* x : f) EXPECT_TRUE(x->evidence[0].line.has_value());

  TempDir u;
  WriteFile(u / "etc/cloud.conf",
            "api_key=YOUR_API_KEY_HERE_123456\napi_token=aaaaaaaaaaaaaaaaaaaaaaaa\n");
  EXPECT_TRUE(AssessFolder(u.path()).Findings("fw.secrets.tokens").empty());
}

TEST(FirmwareKeys, ParserRefusesTruncatedAndHostileInput) {
  // Truncated Dropbear file, a PEM block with a huge length, random bytes: no key, no crash.
  std::string db("\0\0\0\x07ssh-rsa\0\0\0\x03\x01\0\x01\xff\xff\xff\xff", 22);
  EXPECT_TRUE(credentials::FindPrivateKeys(db).empty());
  std::string pem = "-----BEGIN RSA PRIVATE KEY-----\n" + std::string(70000, 'A') +
                    "\n-----END RSA PRIVATE KEY-----\n";
  EXPECT_TRUE(credentials::FindPrivateKeys(pem).empty());
  std::string der("\x30\x82\xff\xff", 4);
  der += std::string(100, '\x01');
  EXPECT_TRUE(credentials::FindPrivateKeys(der).empty());
  EXPECT_TRUE(credentials::FindCertificates(der).empty());
}

}  // namespace
}  // namespace iotcop
