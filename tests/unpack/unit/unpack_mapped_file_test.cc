#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "unpack/mapped_file.h"

namespace iotcop::unpack {
namespace {

// The resident size (KiB) of the mapping that starts at `start`, from /proc/self/smaps.
long MappingRssKib(const void* start) {
  std::ifstream smaps("/proc/self/smaps");
  std::ostringstream head;
  head << std::hex << reinterpret_cast<std::uintptr_t>(start) << "-";
  std::string line;
  bool in = false;
  while (std::getline(smaps, line)) {
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
        line.find('-') != std::string::npos && line.find(' ') > line.find('-')) {
      in = line.starts_with(head.str());
      continue;
    }
    if (in && line.starts_with("Rss:")) return std::stol(line.substr(4));
  }
  return -1;
}

TEST(MappedFile, ReleaseDropsThePagesButNotTheData) {
  test::TempDir tmp;
  const std::size_t size = 8u << 20;
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t i = 0; i < size; ++i)
    bytes[i] = static_cast<std::uint8_t>(i * 2654435761u >> 13);
  {
    std::ofstream f(tmp / "image.bin", std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(size));
  }
  auto map = MappedFile::Open(tmp / "image.bin");
  ASSERT_TRUE(map) << map.error().Describe();
  const ByteView v = map->view();
  ASSERT_EQ(v.size(), size);
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < size; i += 4096) sum += v[i];  // touch every page
  EXPECT_GT(sum, 0u);
  const long before = MappingRssKib(v.data());
  ASSERT_GE(before, 8 * 1024 - 64) << "every page was touched";

  // An unaligned range: the whole pages inside it go. (Where the kernel maps the file with 2 MiB
  // pages, the pages around the range may go too; they are read back when touched, as below.)
  MappedFile::Release(v.subspan(100, 1u << 20));
  const long after = MappingRssKib(v.data());
  EXPECT_LE(after, before - 1000);
  EXPECT_GE(after, before - 4 * 1024 - 64) << "at most the two large pages around the range";
  // A range smaller than a page releases nothing, and an empty one is fine.
  MappedFile::Release(v.subspan(5000, 100));
  MappedFile::Release(ByteView());
  EXPECT_EQ(MappingRssKib(v.data()), after);

  // The released pages read back from the file, byte for byte.
  EXPECT_TRUE(std::equal(v.begin(), v.end(), bytes.begin()));
}

}  // namespace
}  // namespace iotcop::unpack
