#include "app/core/commands.h"

#include <cstring>

namespace lmc {

bool Commands::add(const char* word, const char* usage, Handler fn, void* ctx) {
  if (n_ == kMaxCommands) {
    log_.event("core", "refused").kv("what", "command").kv("name", word).kv("capacity", kMaxCommands);
    return false;
  }
  cmds_[n_++] = {word, usage, fn, ctx};
  return true;
}

void Commands::poll() {
  char buf[32];
  for (;;) {
    std::size_t n = console_.read(buf, sizeof buf);
    if (n == 0) return;
    for (std::size_t i = 0; i < n; ++i) {
      char c = buf[i];
      if (c == '\r' || c == '\n') {
        if (overlong_) {
          log_.event("console", "rejected").kv("reason", "line-too-long").kv("max", kLineMax);
        } else if (len_ > 0) {
          line_[len_] = '\0';
          run_line(line_);
        }
        len_ = 0;
        overlong_ = false;
      } else if (len_ < kLineMax) {
        line_[len_++] = c;
      } else {
        overlong_ = true;
      }
    }
  }
}

void Commands::run_line(char* line) {
  const char* argv[kMaxArgs];
  int argc = 0;
  for (char* p = line; *p;) {
    while (*p == ' ' || *p == '\t') *p++ = '\0';
    if (!*p) break;
    if (argc == kMaxArgs) {
      log_.event("console", "rejected").kv("reason", "too-many-words").kv("max", kMaxArgs);
      return;
    }
    argv[argc++] = p;
    while (*p && *p != ' ' && *p != '\t') ++p;
  }
  if (argc == 0) return;
  for (int i = 0; i < n_; ++i) {
    if (std::strcmp(cmds_[i].word, argv[0]) != 0) continue;
    if (!cmds_[i].fn(cmds_[i].ctx, argc, argv)) log_.event("console", "usage").kv("cmd", cmds_[i].usage);
    return;
  }
  log_.event("console", "unknown").kv("cmd", argv[0]);
}

}  // namespace lmc
