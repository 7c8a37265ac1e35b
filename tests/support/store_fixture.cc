// File: tests/support/store_fixture.cc
#include "support/store_fixture.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "store/store.h"

#include "support/test_support.h"

namespace iotcop::test {
namespace fs = std::filesystem;

namespace {

void Write(const fs::path& p, const std::string& content,
           fs::perms mode = fs::perms::owner_read | fs::perms::owner_write) {
  WriteFile(p, content);
  fs::permissions(p, mode);
}

constexpr auto kFixtureExec = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec;

}  // namespace

void WriteProductTree(const fs::path& dir, int version, int variant) {
  Write(dir / "etc/inittab", "::sysinit:/etc/init.d/rcS\n");
  if (version == 1) {
    Write(dir / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    Write(dir / "etc/shadow", "root::19000:0:99999:7:::\n");
    Write(dir / "etc/init.d/rcS", "#!/bin/sh\nmount -t proc proc /proc\ntelnetd -l /bin/sh\n",
          kFixtureExec);
    Write(dir / "usr/lib/opkg/status",
          "Package: dropbear\nVersion: 2019.78-1\nStatus: install ok installed\n\n"
          "Package: libfoo\nVersion: 1.0-1\nStatus: install ok installed\n\n");
  } else {
    Write(dir / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nbackdoor:x:0:0::/root:/bin/sh\n");
    Write(dir / "etc/shadow",
          "root:!:19000:0:99999:7:::\nbackdoor:$6$q2w3e4r5$6UNYb3zvp4ppuUK5H4WjkrDK3ECHUlyp4zc."
          "q9zr0eZP0SfZz1VfDi9"
          "SmP8abCyD/J1C2nZe5hF/VE8pcSOYV/:19000:0:99999:7:::\n");
    Write(dir / "etc/init.d/rcS", "#!/bin/sh\nmount -t proc proc /proc\ndropbear -R\n",
          kFixtureExec);
    Write(dir / "usr/lib/opkg/status",
          "Package: dropbear\nVersion: 2022.83-1\nStatus: install ok installed\n\n"
          "Package: libbar\nVersion: 2.0-1\nStatus: install ok installed\n\n");
  }
  Write(dir / "etc/build-id",
        "product build " + std::to_string(version) + "." + std::to_string(variant) + "\n");
}

fs::path MakeTarImage(const fs::path& dir, const fs::path& out) {
  const auto r = RunShell("tar --sort=name --mtime=@0 --owner=0 --group=0 -czf '" + out.string() +
                          "' -C '" + dir.string() + "' .");
  if (r.exit_code != 0) throw std::runtime_error("tar failed: " + r.err);
  return out;
}

fs::path MakeProductImages(const fs::path& dir, int count) {
  const fs::path images = dir / "images";
  fs::create_directories(images);
  for (int i = 0; i < count; ++i) {
    const fs::path tree = dir / ("tree" + std::to_string(i));
    WriteProductTree(tree, 1 + i % 2, i);
    MakeTarImage(tree, images / ("cam-" + std::to_string(i) + ".tar.gz"));
    fs::remove_all(tree);
  }
  return images;
}

std::map<std::string, int> CompletedRunsByInputHash(const std::string& db) {
  std::map<std::string, int> out;
  auto s = store::OpenStore(db);
  EXPECT_TRUE(s) << s.error().Describe();
  if (!s) return out;
  auto runs = (*s)->History("");
  EXPECT_TRUE(runs);
  if (!runs) return out;
  for (const auto& r : *runs)
    if (r.status != "error") ++out[r.input_hash];
  return out;
}

Postgres::~Postgres() { Stop(); }

std::string Postgres::Start(const fs::path& dir) {
  const fs::path bin = "/usr/lib/postgresql/15/bin";
  if (!fs::exists(bin / "initdb") || !fs::exists(bin / "pg_ctl"))
    return "PostgreSQL 15 server is not installed (Debian package postgresql)";
  const fs::path root = dir / "pg", sock = root / "sock";
  fs::create_directories(sock);
  data_ = root / "data";
  if (::geteuid() == 0) {
    // PostgreSQL refuses to run as root: the server runs as the `postgres` user, in folders it
    // owns.
    if (RunShell("id -u postgres").exit_code != 0)
      return "running as root and there is no postgres user";
    if (RunShell("chown -R postgres '" + root.string() + "'").exit_code != 0)
      return "cannot chown to postgres";
    as_user_ = "runuser -u postgres -- ";
  }
  auto r = RunShell(as_user_ + (bin / "initdb").string() + " -D '" + data_.string() +
                    "' -A trust -U iotcop -E UTF8 --locale=C --no-sync --no-instructions");
  if (r.exit_code != 0) {
    data_.clear();
    return "initdb failed: " + r.err.substr(0, 400);
  }
  uri_ = "postgresql://iotcop@/postgres?host=" + sock.string();
  if (std::string why = Restart(); !why.empty()) {
    data_.clear();
    return why;
  }
  return "";
}

std::string Postgres::Restart() {
  if (data_.empty() || running_) return "";
  const fs::path root = data_.parent_path();
  const auto r =
      RunShell(as_user_ + "/usr/lib/postgresql/15/bin/pg_ctl -D '" + data_.string() + "' -l '" +
               (root / "server.log").string() +
               "' -w -t 30 -o \"-c listen_addresses='' -c unix_socket_directories='" +
               (root / "sock").string() + "' -c fsync=off -c max_connections=50\" start");
  if (r.exit_code != 0) {
    const std::string log = ReadFile(root / "server.log");
    return "pg_ctl start failed: " + r.err.substr(0, 300) + " " + log.substr(0, 400);
  }
  running_ = true;
  return "";
}

void Postgres::Stop() {
  if (data_.empty() || !running_) return;
  RunShell(as_user_ + "/usr/lib/postgresql/15/bin/pg_ctl -D '" + data_.string() +
           "' -m immediate -w stop");
  running_ = false;
}

}  // namespace iotcop::test
