#include "app/api/auth_guard.h"

#include "app/http/basic_auth.h"

namespace lmc::api {

namespace {
// Compares without stopping at the first difference (no timing hint).
bool same(std::string_view a, std::string_view b) {
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}
}  // namespace

AuthGuard::Entry* AuthGuard::find(std::uint32_t ip) {
  for (Entry& e : e_)
    if (e.ip == ip && (e.failures > 0 || e.locked_until > 0)) return &e;
  return nullptr;
}

bool AuthGuard::locked(std::uint32_t ip, std::uint64_t now_ms) const {
  for (const Entry& e : e_)
    if (e.ip == ip && e.locked_until > now_ms) return true;
  return false;
}

AuthGuard::Verdict AuthGuard::judge(std::uint32_t ip, bool good, std::uint64_t now_ms) {
  if (locked(ip, now_ms)) return Verdict::Locked;  // even good credentials wait out the lock
  Entry* e = find(ip);
  if (good) {
    if (e) *e = Entry{};
    return Verdict::Ok;
  }
  if (!e) {
    e = &e_[0];
    for (Entry& k : e_)
      if (k.last < e->last) e = &k;
    *e = Entry{};
    e->ip = ip;
  }
  e->last = now_ms;
  if (++e->failures >= kMaxFailures) {
    e->failures = 0;
    e->locked_until = now_ms + kLockMs;
  }
  return Verdict::Wrong;
}

AuthGuard::Verdict AuthGuard::check(std::uint32_t ip, std::string_view user, std::string_view password,
                                    std::uint64_t now_ms) {
  const bool good = same(user, "clemap") & same(password, serial_);
  return judge(ip, good, now_ms);
}

AuthGuard::Verdict AuthGuard::check_basic(std::uint32_t ip, std::string_view authorization, std::uint64_t now_ms) {
  if (locked(ip, now_ms)) return Verdict::Locked;
  // No credentials at all is not a guess (clients send them after the 401 challenge).
  if (authorization.empty()) return Verdict::Wrong;
  return judge(ip, http::basic_auth_matches(authorization, "clemap", serial_), now_ms);
}

}  // namespace lmc::api
