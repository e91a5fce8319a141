#include "app/net/resolver.h"

#include <cstring>

namespace lmc::net {

namespace {
bool valid_name(const char* name) {
  if (!name || !name[0]) return false;
  std::size_t n = 0;
  for (; name[n]; ++n) {
    if (n >= Resolver::kMaxName) return false;
    unsigned char c = static_cast<unsigned char>(name[n]);
    if (c <= ' ' || c >= 0x7F) return false;  // a host name is printable ASCII without spaces
  }
  return true;
}
}  // namespace

Resolver::Slot* Resolver::find(const char* name) {
  for (Slot& s : slots_)
    if (s.st != St::Free && std::strcmp(s.name, name) == 0) return &s;
  return nullptr;
}

Resolver::Slot* Resolver::claim(const char* name, std::uint64_t now_ms) {
  Slot* best = nullptr;
  for (Slot& s : slots_) {
    if (s.st == St::Free) {
      best = &s;
      break;
    }
    // Never evict a name someone is waiting for.
    if (s.st == St::Queued || s.st == St::InFlight) continue;
    if (!best || s.used < best->used) best = &s;
  }
  if (!best) return nullptr;
  *best = Slot{};
  std::memcpy(best->name, name, std::strlen(name) + 1);
  best->used = now_ms;
  best->backoff = kRetryMinMs;
  return best;
}

int Resolver::lookup(const char* name, std::uint32_t* ip, std::uint64_t now_ms) {
  if (!valid_name(name) || !ip) return -1;
  if (!online_) return -1;
  poll(now_ms);
  Slot* s = find(name);
  if (!s) {
    s = claim(name, now_ms);
    if (!s) return 0;  // every slot waits for an answer: ask again later
    s->st = St::Queued;
    s->queued_at = ++seq_;
    start_next(now_ms);
    return 0;
  }
  s->used = now_ms;
  switch (s->st) {
    case St::Resolved:
      if (now_ms < s->until) {
        *ip = s->ip;
        return 1;
      }
      s->st = St::Queued;  // expired: ask again
      s->queued_at = ++seq_;
      start_next(now_ms);
      return 0;
    case St::Failed:
      if (now_ms < s->until) return -1;
      s->st = St::Queued;
      s->queued_at = ++seq_;
      start_next(now_ms);
      return 0;
    case St::Queued:
    case St::InFlight: return 0;
    case St::Free: break;
  }
  return -1;
}

void Resolver::start_next(std::uint64_t now_ms) {
  if (inflight_ >= 0 || !online_) return;
  int next = -1;
  for (int i = 0; i < kSlots; ++i)
    if (slots_[i].st == St::Queued && (next < 0 || slots_[i].queued_at < slots_[next].queued_at)) next = i;
  if (next < 0) return;
  Slot& s = slots_[next];
  ++queries_;
  if (!link_.dns_start(s.name)) {
    finish(s, 0, now_ms);  // refused at once (controller disabled)
    return;
  }
  s.st = St::InFlight;
  s.started = now_ms;
  inflight_ = next;
}

void Resolver::finish(Slot& s, std::uint32_t ip, std::uint64_t now_ms) {
  if (ip) {
    s.st = St::Resolved;
    s.ip = ip;
    s.until = now_ms + kTtlMs;
    s.backoff = kRetryMinMs;
    log_.event("net", "dns-resolved").kv("name", s.name).kv_ip("ip", ip);
    return;
  }
  s.st = St::Failed;
  s.until = now_ms + s.backoff;
  log_.event("net", "dns-failed").kv("name", s.name).kv("retry_ms", s.backoff);
  s.backoff = s.backoff >= kRetryMaxMs / 2 ? kRetryMaxMs : s.backoff * 2;
}

void Resolver::poll(std::uint64_t now_ms) {
  if (inflight_ >= 0) {
    Slot& s = slots_[inflight_];
    std::uint32_t ip = 0;
    int r = link_.dns_result(&ip);
    if (r == 0 && now_ms - s.started < kQueryTimeoutMs) return;
    inflight_ = -1;
    finish(s, r == 1 ? ip : 0, now_ms);  // 1 with address 0 is the NETC's "not found" too
  }
  start_next(now_ms);
}

void Resolver::forget(const char* name) {
  if (!valid_name(name)) return;
  Slot* s = find(name);
  if (s && (s->st == St::Resolved || s->st == St::Failed)) s->st = St::Free;
}

void Resolver::set_online(bool online) {
  if (online == online_) return;
  online_ = online;
  inflight_ = -1;
  for (Slot& s : slots_) s.st = St::Free;  // another network: other answers, fresh back-offs
}

void Resolver::command_issued() {
  if (inflight_ < 0) return;
  slots_[inflight_].st = St::Queued;  // keeps its place: the oldest queued runs first
  inflight_ = -1;
}

}  // namespace lmc::net
