// Output files that never lose results silently: every write is checked, files are written
// under a temporary name and renamed when complete (a reader never sees half a result.json),
// and a failed write throws OutputError naming the file (verdict "error", exit 4).
#pragma once
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>

namespace lmsim {

// "500MB", "2GB", "64KiB", "1000000" (bytes; kB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB
// of 1024); nullopt when not a size or too large.
std::optional<std::uint64_t> parse_byte_size(const std::string& text);

// A result, trace, report or JUnit file could not be written (full disk, I/O error, ...).
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes `content` to `path` as a whole: to PATH.tmp-PID first, renamed over PATH once flushed
// and closed without error. Devices and pipes (/dev/stdout) are written in place. On failure
// the temporary file and any older file at PATH are removed (a stale result must not pass for
// this run's) and OutputError says "PATH: cannot write WHAT: REASON".
void write_file_atomic(const std::string& path, const std::string& content, const std::string& what);

// A file written in pieces (traces): the same temporary name, checks and rename, but failures
// are recorded rather than thrown, because writes happen inside simulation callbacks. After the
// first failure nothing more is written; commit() reports the first failure.
class StreamFile {
 public:
  StreamFile(const std::string& path, const std::string& what);  // throws OutputError
  ~StreamFile();                                                 // not committed: removes the file
  StreamFile(const StreamFile&) = delete;
  StreamFile& operator=(const StreamFile&) = delete;
  void write(const char* data, std::size_t n);
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }  // "PATH: cannot write WHAT: REASON"
  const std::string& path() const { return path_; }
  // Flushes, closes and renames into place; throws OutputError on any failure (now or earlier).
  void commit();

 private:
  void fail(int err);
  void discard(bool failed);
  std::string path_, tmp_, what_, error_;
  std::FILE* f_ = nullptr;
  bool in_place_ = false, done_ = false;
};

}  // namespace lmsim
