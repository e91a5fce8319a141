// Output files: checked writes, temporary name + rename, errors naming the file.
#include "sim/output_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace lmsim;

namespace {
fs::path scratch() {
  fs::path d = fs::temp_directory_path() / ("lmsim-output-test-" + std::to_string(getpid()));
  fs::create_directories(d);
  return d;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST(OutputFile, WritesWholeFileAndLeavesNoTemporary) {
  fs::path d = scratch();
  fs::path p = d / "result.json";
  write_file_atomic(p.string(), "{\"verdict\": \"pass\"}\n", "result file");
  EXPECT_EQ(slurp(p), "{\"verdict\": \"pass\"}\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(d), fs::directory_iterator()), 1);
  fs::remove_all(d);
}

TEST(OutputFile, FullDeviceIsAnErrorNamingTheFile) {
  // /dev/full fails every write with ENOSPC (Linux null(4)); a device is written in place.
  try {
    write_file_atomic("/dev/full", std::string(100000, 'x'), "JUnit file");
    FAIL() << "no error for a full device";
  } catch (const OutputError& e) {
    EXPECT_STREQ(e.what(), "/dev/full: cannot write JUnit file: No space left on device");
  }
  // Even one byte: the error shows at flush/close, which must be checked too.
  EXPECT_THROW(write_file_atomic("/dev/full", "x", "result file"), OutputError);
}

TEST(OutputFile, StreamIsInvisibleUntilCommittedAndRemovedWhenNot) {
  fs::path d = scratch();
  fs::path p = d / "trace.csv";
  {
    StreamFile f(p.string(), "trace");
    f.write("a,b\n", 4);
    EXPECT_FALSE(fs::exists(p));  // a reader never sees half a file under the real name
  }
  EXPECT_FALSE(fs::exists(p));  // never committed (run abandoned): no file under either name
  EXPECT_TRUE(fs::is_empty(d));
  std::ofstream(p) << "older";
  { StreamFile f(p.string(), "trace"); }
  EXPECT_EQ(slurp(p), "older");  // abandoning a stream is not a failed write: the older file stays
  {
    StreamFile f(p.string(), "trace");
    f.write("a,b\n", 4);
    f.commit();
  }
  EXPECT_EQ(slurp(p), "a,b\n");
  fs::remove_all(d);
}

TEST(OutputFile, ReplacesAnOlderFileAsAWholeAndNamesAnUnopenablePath) {
  fs::path d = scratch();
  fs::path p = d / "result.json";
  std::ofstream(p) << "{\"verdict\": \"pass\", \"from\": \"an earlier run\"}";
  std::string big(1 << 20, 'x');
  write_file_atomic(p.string(), big, "result file");
  EXPECT_EQ(slurp(p), big);
  try {
    StreamFile f((d / "no/such/folder/x.csv").string(), "trace");
    FAIL() << "opened a file in a missing folder";
  } catch (const OutputError& e) {
    EXPECT_EQ(std::string(e.what()),
              (d / "no/such/folder/x.csv").string() + ": cannot write trace: No such file or directory");
  }
  fs::remove_all(d);
}

TEST(OutputFile, StreamOnFullDeviceFailsAndCommitThrows) {
  StreamFile f("/dev/full", "trace");
  std::string chunk(1 << 16, 'x');
  f.write(chunk.data(), chunk.size());  // larger than stdio's buffer: reaches the device
  EXPECT_TRUE(f.failed());
  EXPECT_EQ(f.error(), "/dev/full: cannot write trace: No space left on device");
  EXPECT_THROW(f.commit(), OutputError);
}

TEST(OutputFile, ByteSizes) {
  // SI prefixes are powers of 1000, IEC prefixes powers of 1024 (IEC 80000-13).
  EXPECT_EQ(parse_byte_size("500MB"), 500000000u);
  EXPECT_EQ(parse_byte_size("4GB"), 4000000000u);
  EXPECT_EQ(parse_byte_size("64KiB"), 65536u);
  EXPECT_EQ(parse_byte_size("2GiB"), 2147483648u);
  EXPECT_EQ(parse_byte_size("1000"), 1000u);
  EXPECT_EQ(parse_byte_size("10 kB"), 10000u);
  EXPECT_FALSE(parse_byte_size(""));
  EXPECT_FALSE(parse_byte_size("MB"));
  EXPECT_FALSE(parse_byte_size("5XB"));
  EXPECT_FALSE(parse_byte_size("-5MB"));
  EXPECT_FALSE(parse_byte_size("1.5GB"));
  EXPECT_FALSE(parse_byte_size("999999999999999TiB"));  // does not fit 64 bits
}
