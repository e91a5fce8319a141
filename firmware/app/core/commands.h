// The installer console on UART0 RX: lines of text, one command each ("debug hang lm").
// Bytes are read by a poller; a line longer than kLineMax is refused whole (logged), never
// cut into a different command. Capacity: kMaxCommands registered commands.
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/core/log.h"
#include "app/core/loop.h"
#include "app/ports.h"

namespace lmc {

class Commands {
 public:
  static constexpr std::size_t kLineMax = 96;
  static constexpr int kMaxArgs = 6;
  static constexpr int kMaxCommands = 12;
  // argv[0] is the command word. Returns false when the arguments are wrong (logged as usage).
  using Handler = bool (*)(void* ctx, int argc, const char* const* argv);

  Commands(Console& console, Log& log) : console_(console), log_(log) {}
  bool add(const char* word, const char* usage, Handler fn, void* ctx);
  // Reads what the console has and runs every complete line (registered as a loop poller).
  void poll();
  // Runs one line of text (also used by tests).
  void run_line(char* line);

 private:
  struct Command {
    const char* word;
    const char* usage;
    Handler fn;
    void* ctx;
  };
  Console& console_;
  Log& log_;
  Command cmds_[kMaxCommands] = {};
  int n_ = 0;
  char line_[kLineMax + 1] = {};
  std::size_t len_ = 0;
  bool overlong_ = false;
};

}  // namespace lmc
