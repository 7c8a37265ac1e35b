#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/elf.h"
#include "core/plugin.h"
#include "unpack/mapped_file.h"

namespace iotcop {
namespace {
namespace fs = std::filesystem;

// Sets an environment variable for one test and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(Plugin, TheBuildTreesPostgresPluginLoadsAndHasItsEntryPoint) {
  auto open = PluginSymbol("postgres", "iotcop_postgres_open");
  ASSERT_TRUE(open) << open.error().Describe();
  EXPECT_NE(*open, nullptr);
  auto missing = PluginSymbol("postgres", "iotcop_no_such_entry");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().input.find("iotcop-postgres.so"), std::string::npos);
  EXPECT_NE(missing.error().what.find("iotcop_no_such_entry"), std::string::npos);
}

TEST(Plugin, AMissingPluginOrOneFromAnotherBuildIsAnErrorNamingItsFile) {
  const fs::path dir = fs::path(::testing::TempDir()) / "iotcop-plugin-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  ScopedEnv env("IOTCOP_PLUGINS", dir.string());
  auto none = PluginSymbol("absent", "anything");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().input, (dir / "iotcop-absent.so").string());
  EXPECT_NE(none.error().what.find("not installed"), std::string::npos);

  // A real shared object without iotcop's tag (zlib) stands for a plugin of another build.
  fs::path zlib;
  for (const char* p : {"/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1",
                        "/lib64/libz.so.1", "/usr/lib/libz.so.1"})
    if (fs::exists(p)) zlib = p;
  if (zlib.empty()) GTEST_SKIP() << "no libz.so.1 to stand for a foreign plugin";
  fs::copy_file(zlib, dir / "iotcop-foreign.so");
  auto foreign = PluginSymbol("foreign", "deflate");
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().input, (dir / "iotcop-foreign.so").string());
  EXPECT_NE(foreign.error().what.find("another build"), std::string::npos);
  // Not a shared object at all.
  {
    std::FILE* f = std::fopen((dir / "iotcop-text.so").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("not an ELF file\n", f);
    std::fclose(f);
  }
  auto text = PluginSymbol("text", "x");
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().what.find("cannot load plugin"), std::string::npos);
  fs::remove_all(dir);
}

// The reason plugins exist: the iotcop binary itself does not load libpqxx (or libpq), so that
// `iotcop unpack` and every other run without a PostgreSQL store start without them.
TEST(Plugin, TheBinaryDoesNotLinkThePluginsLibraries) {
  auto file = unpack::MappedFile::Open(IOTCOP_BINARY);
  ASSERT_TRUE(file) << file.error().Describe();
  auto parsed = elf::Parse(file->view(), IOTCOP_BINARY);
  ASSERT_TRUE(parsed) << parsed.error().Describe();
  ASSERT_FALSE(parsed->needed.empty()) << "a dynamically linked binary names its libraries";
  bool libc = false;
  for (const auto& lib : parsed->needed) {
    EXPECT_EQ(lib.find("libpqxx"), std::string::npos) << lib;
    EXPECT_EQ(lib.find("libpq."), std::string::npos) << lib;
    libc = libc || lib.starts_with("libc.so");
  }
  EXPECT_TRUE(libc) << "the NEEDED list was read";
}

}  // namespace
}  // namespace iotcop
