// File: tests/support/store_fixture.h
// Fixtures for the results store, diff and batch tests: two versions of one small product (a
// root filesystem folder, or a tar.gz image of it made with the real tar) whose second version
// fixes a finding, adds another, upgrades/adds/removes components and swaps a service; and a real
// PostgreSQL server started by the test in its TempDir (unix socket only, as user postgres when
// running as root).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "support/test_support.h"

namespace iotcop::test {

// v1: root with an empty password, telnetd at boot, dropbear 2019.78 and libfoo 1.0.
// v2: root locked, a second uid-0 account 'backdoor', dropbear instead of telnetd at boot,
//     dropbear 2022.83 and libbar 2.0. `variant` adds a file so that images differ in content.
void WriteProductTree(const std::filesystem::path& dir, int version, int variant = 0);
// `tar czf out -C dir .`; returns out.
std::filesystem::path MakeTarImage(const std::filesystem::path& dir,
                                   const std::filesystem::path& out);

// `count` distinct images (alternating product versions 1 and 2) in dir/images; returns the folder.
std::filesystem::path MakeProductImages(const std::filesystem::path& dir, int count);
// input hash -> number of completed runs (status other than error) in the store `db`.
std::map<std::string, int> CompletedRunsByInputHash(const std::string& db);

class Postgres {
 public:
  Postgres() = default;
  Postgres(const Postgres&) = delete;
  Postgres& operator=(const Postgres&) = delete;
  ~Postgres();
  // initdb + pg_ctl start below `dir`; "" on success, else why not (the caller GTEST_SKIPs).
  std::string Start(const std::filesystem::path& dir);
  // postgresql://iotcop@/postgres?host=SOCKET_DIR
  const std::string& uri() const { return uri_; }
  // Stops the server at once (as a crash would); Restart() starts it again on the same data.
  void Stop();
  std::string Restart();

 private:
  std::filesystem::path data_;
  std::string as_user_;  // "runuser -u postgres -- " when root
  std::string uri_;
  bool running_ = false;
};

}  // namespace iotcop::test
