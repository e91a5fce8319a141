#include "sim/output_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <utility>

namespace lmsim {

namespace {
// Existing non-regular files (character devices, FIFOs) cannot be replaced by a rename.
bool write_in_place(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
}
std::string reason(int err) {
  return err ? std::strerror(err) : "unknown error";
}
}  // namespace

std::optional<std::uint64_t> parse_byte_size(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0 || i > 15) return std::nullopt;
  std::uint64_t n = std::stoull(text.substr(0, i));
  std::string unit = text.substr(i);
  if (!unit.empty() && unit[0] == ' ') unit.erase(0, 1);
  static const std::pair<const char*, std::uint64_t> kUnits[] = {
      {"", 1},          {"B", 1},           {"kB", 1000},          {"KB", 1000},
      {"MB", 1000000},  {"GB", 1000000000}, {"TB", 1000000000000}, {"KiB", 1024},
      {"MiB", 1 << 20}, {"GiB", 1 << 30},   {"TiB", 1ULL << 40}};
  for (const auto& [u, f] : kUnits)
    if (unit == u) return n > ~std::uint64_t{0} / f ? std::nullopt : std::optional<std::uint64_t>(n * f);
  return std::nullopt;
}

StreamFile::StreamFile(const std::string& path, const std::string& what) : path_(path), what_(what) {
  in_place_ = write_in_place(path);
  tmp_ = in_place_ ? path : path + ".tmp-" + std::to_string(getpid());
  f_ = std::fopen(tmp_.c_str(), "wb");
  if (!f_) throw OutputError(path + ": cannot write " + what + ": " + reason(errno));
}

StreamFile::~StreamFile() {
  if (!done_) discard(false);
}

void StreamFile::fail(int err) {
  if (error_.empty()) error_ = path_ + ": cannot write " + what_ + ": " + reason(err);
}

void StreamFile::write(const char* data, std::size_t n) {
  if (!error_.empty() || done_ || n == 0) return;
  if (std::fwrite(data, 1, n, f_) != n) fail(errno);
}

void StreamFile::discard(bool failed) {
  if (f_) std::fclose(f_);
  f_ = nullptr;
  if (!in_place_) {
    std::remove(tmp_.c_str());
    // The run could not write its file here; an older one would pass for its output.
    if (failed) std::remove(path_.c_str());
  }
  done_ = true;
}

void StreamFile::commit() {
  if (done_) {
    if (!error_.empty()) throw OutputError(error_);
    return;
  }
  if (error_.empty() && std::fflush(f_) != 0) fail(errno);
  if (error_.empty() && std::ferror(f_)) fail(EIO);
  // fclose can report what the last write-back found (NFS, quota): checked like a write.
  int rc = std::fclose(f_);
  f_ = nullptr;
  if (rc != 0) fail(errno);
  if (error_.empty() && !in_place_ && std::rename(tmp_.c_str(), path_.c_str()) != 0) fail(errno);
  if (!error_.empty()) {
    discard(true);
    throw OutputError(error_);
  }
  done_ = true;
}

void write_file_atomic(const std::string& path, const std::string& content, const std::string& what) {
  StreamFile f(path, what);
  f.write(content.data(), content.size());
  f.commit();
}

}  // namespace lmsim
