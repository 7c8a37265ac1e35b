#include <gtest/gtest.h>

#include "protocols/securitytxt.h"

namespace iotcop::securitytxt {
namespace {

// 2026-01-01T00:00:00Z, fixed so the tests do not age.
constexpr std::time_t kNow = 1767225600;

Report Check(const std::string& text, std::string url = {}) {
  Options o;
  o.now = kNow;
  o.fetched_from = std::move(url);
  return Validate(text, o);
}

bool HasIssue(const Report& r, Level l, const std::string& needle) {
  for (const auto& i : r.issues)
    if (i.level == l && i.message.find(needle) != std::string::npos) return true;
  return false;
}

const char* kValid =
    "# Our security contact\n"
    "Contact: mailto:security@example-camera.invalid\n"
    "Contact: https://example-camera.invalid/security\n"
    "Expires: 2026-06-30T23:59:59Z\n"
    "Encryption: https://example-camera.invalid/pgp.asc\n"
    "Policy: https://example-camera.invalid/disclosure\n"
    "Preferred-Languages: en, de\n"
    "Canonical: https://example-camera.invalid/.well-known/security.txt\n";

TEST(SecurityTxt, AcceptsAValidFile) {
  const Report r = Check(kValid, "https://example-camera.invalid/.well-known/security.txt");
  EXPECT_TRUE(r.valid());
  EXPECT_EQ(r.Count(Level::kWarning), 0);
  EXPECT_EQ(r.contacts.size(), 2u);
  ASSERT_TRUE(r.expires);
  EXPECT_EQ(*r.expires, *ParseRfc3339("2026-06-30T23:59:59Z"));
}

TEST(SecurityTxt, AcceptsCrlfAndCaseInsensitiveNames) {
  const Report r = Check("contact: tel:+44-20-0000-0000\r\nEXPIRES: 2026-03-01T00:00:00+01:00\r\n");
  EXPECT_TRUE(r.valid()) << r.issues.front().message;
}

TEST(SecurityTxt, RequiresContact) {
  const Report r = Check("Expires: 2026-06-30T23:59:59Z\n");
  EXPECT_FALSE(r.valid());
  EXPECT_TRUE(HasIssue(r, Level::kError, "no Contact"));
}

TEST(SecurityTxt, RequiresExactlyOneExpiresInTheFuture) {
  EXPECT_TRUE(HasIssue(Check("Contact: mailto:a@b.c\n"), Level::kError, "no Expires"));
  EXPECT_TRUE(HasIssue(
      Check(
          "Contact: mailto:a@b.c\nExpires: 2026-06-30T23:59:59Z\nExpires: 2026-07-30T23:59:59Z\n"),
      Level::kError, "more than once"));
  const Report stale = Check("Contact: mailto:a@b.c\nExpires: 2025-06-30T23:59:59Z\n");
  EXPECT_TRUE(HasIssue(stale, Level::kError, "in the past"));
  const Report far = Check("Contact: mailto:a@b.c\nExpires: 2029-06-30T23:59:59Z\n");
  EXPECT_TRUE(far.valid());
  EXPECT_TRUE(HasIssue(far, Level::kWarning, "more than a year"));
  EXPECT_TRUE(
      HasIssue(Check("Contact: mailto:a@b.c\nExpires: 30/06/2026\n"), Level::kError, "RFC 3339"));
}

TEST(SecurityTxt, RequiresHttpsForWebUris) {
  EXPECT_TRUE(
      HasIssue(Check("Contact: http://example.invalid/sec\nExpires: 2026-06-30T23:59:59Z\n"),
               Level::kError, "https"));
  EXPECT_TRUE(HasIssue(
      Check("Contact: mailto:a@b.c\nExpires: 2026-06-30T23:59:59Z\nPolicy: http://x.invalid/p\n"),
      Level::kError, "Policy web URI must use https"));
  EXPECT_TRUE(HasIssue(Check("Contact: security@example.invalid\nExpires: 2026-06-30T23:59:59Z\n"),
                       Level::kError, "must be a URI"));
}

TEST(SecurityTxt, PreferredLanguagesOnceAndWellFormed) {
  EXPECT_TRUE(
      HasIssue(Check("Contact: mailto:a@b.c\nExpires: 2026-06-30T23:59:59Z\nPreferred-Languages: "
                     "en\nPreferred-Languages: fr\n"),
               Level::kError, "more than once"));
  EXPECT_TRUE(HasIssue(
      Check("Contact: mailto:a@b.c\nExpires: 2026-06-30T23:59:59Z\nPreferred-Languages: en, 1x\n"),
      Level::kError, "not a language tag"));
}

TEST(SecurityTxt, ReportsGrammarErrorsWithTheirLine) {
  const Report r =
      Check("Contact: mailto:a@b.c\nthis is not a field\nExpires: 2026-06-30T23:59:59Z\n");
  ASSERT_FALSE(r.valid());
  ASSERT_EQ(r.Count(Level::kError), 1);
  for (const auto& i : r.issues) {
    if (i.level == Level::kError) {
      EXPECT_EQ(i.line, 2u);
    }
  }
  EXPECT_TRUE(HasIssue(Check("Contact: mailto:a@b.c\nExpires: 2026-06-30T23:59:59Z\nX-Custom: 1\n"),
                       Level::kNote, "unknown field"));
}

TEST(SecurityTxt, CanonicalMustNameTheFetchedUrl) {
  EXPECT_TRUE(HasIssue(Check(kValid, "https://other.invalid/.well-known/security.txt"),
                       Level::kWarning, "no Canonical field names"));
}

TEST(SecurityTxt, RecognisesSignedFiles) {
  const std::string signed_txt =
      std::string("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n") + kValid +
      "-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n";
  const Report r = Check(signed_txt);
  EXPECT_TRUE(r.signed_message);
  EXPECT_TRUE(r.valid());
  EXPECT_EQ(r.contacts.size(), 2u);
  const Report broken =
      Check(std::string("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n") + kValid);
  EXPECT_TRUE(HasIssue(broken, Level::kError, "PGP SIGNATURE"));
}

TEST(SecurityTxt, RefusesBinaryAndHugeInput) {
  EXPECT_TRUE(
      HasIssue(Check(std::string("Contact: mailto:a@b.c\n\xff\xfe")), Level::kError, "UTF-8"));
  EXPECT_TRUE(HasIssue(Check(std::string(100000, 'a')), Level::kError, "refusing"));
  EXPECT_TRUE(HasIssue(Check(""), Level::kError, "empty"));
}

TEST(Rfc3339, ParsesOffsetsAndRejectsNonsense) {
  EXPECT_EQ(*ParseRfc3339("2026-01-01T01:00:00+01:00"), kNow);
  EXPECT_EQ(*ParseRfc3339("2026-01-01T00:00:00.123Z"), kNow);
  EXPECT_FALSE(ParseRfc3339("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-01-01 00:00:00"));
  EXPECT_FALSE(ParseRfc3339("2026-01-01T00:00:00Zjunk"));
}

}  // namespace
}  // namespace iotcop::securitytxt
