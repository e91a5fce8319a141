// Credentials of the local interfaces and the brake on guessing them (UI-02, RS-02, A07):
// user `clemap`, password = the device serial; after 5 wrong attempts a client (by IP) is
// locked out for 60 s. Fixed table of clients; when full, the oldest entry is reused (an
// attacker rotating addresses can only evict locks, never unlock the device's password).
#pragma once
#include <cstdint>
#include <string_view>

namespace lmc::api {

class AuthGuard {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr std::uint32_t kLockMs = 60000;
  static constexpr int kClients = 8;

  explicit AuthGuard(const char* serial) : serial_(serial) {}
  enum class Verdict : std::uint8_t { Ok, Wrong, Locked };
  // Checks an Authorization header (Basic) from client ip; counts failures (a missing header
  // is refused without counting).
  Verdict check_basic(std::uint32_t ip, std::string_view authorization, std::uint64_t now_ms);
  // Checks a user/password pair (the UI's login form).
  Verdict check(std::uint32_t ip, std::string_view user, std::string_view password, std::uint64_t now_ms);
  bool locked(std::uint32_t ip, std::uint64_t now_ms) const;
  const char* serial() const { return serial_; }

 private:
  struct Entry {
    std::uint32_t ip = 0;
    int failures = 0;
    std::uint64_t locked_until = 0;
    std::uint64_t last = 0;
  };
  Verdict judge(std::uint32_t ip, bool good, std::uint64_t now_ms);
  Entry* find(std::uint32_t ip);
  const char* serial_;
  Entry e_[kClients];
};

}  // namespace lmc::api
