#include "app/net/ntp.h"

namespace lmc::net {

namespace {
constexpr std::uint64_t kUnixEpochInNtp = 2208988800u;  // 1900-01-01 to 1970-01-01 in s (RFC 868)
constexpr std::size_t kPacket = 48;

std::uint64_t be64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}
}  // namespace

void Ntp::set_online(bool online, std::uint64_t now_ms) {
  if (online) {
    if (st_ == St::Off) schedule(now_ms);  // at once: a new network, a fresh sync
    return;
  }
  if (st_ == St::Asked) so_.abort(sock_);
  st_ = St::Off;
  backoff_ = kRetryMinMs;
}

std::uint64_t Ntp::next_due() const {
  return st_ == St::Wait || st_ == St::Asked ? due_ : 0;
}

void Ntp::poll(std::uint64_t now_ms) {
  switch (st_) {
    case St::Off: return;
    case St::Wait:
      if (now_ms < due_) return;
      st_ = St::Resolving;
      [[fallthrough]];
    case St::Resolving: {
      std::uint32_t ip = 0;
      int r = resolver_.lookup(kServer, &ip, now_ms);
      if (r == 1) ask(ip, now_ms);
      if (r < 0) failed("dns", now_ms);
      return;
    }
    case St::Asked:
      so_.take_events(sock_);
      if (so_.rx_avail(sock_) > 0 && take_answer(now_ms)) return;
      if (now_ms >= due_) failed("timeout", now_ms);
      return;
  }
}

void Ntp::ask(std::uint32_t server, std::uint64_t now_ms) {
  server_ = server;
  so_.abort(sock_);  // always frees the socket (a stale bind after a link loss)
  if (!so_.udp_open(sock_, kLocalPort)) return failed("socket", now_ms);
  std::uint8_t req[kPacket] = {};
  req[0] = 0x23;  // LI 0, version 4, mode 3 (client)
  // Transmit timestamp: a per-request value the server echoes as "originate" (RFC 5905 8);
  // without UTC yet it is a counter with the uptime, never a guessed date.
  ++seq_;
  for (int i = 0; i < 4; ++i) cookie_[i] = static_cast<std::uint8_t>(seq_ >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) cookie_[4 + i] = static_cast<std::uint8_t>(now_ms >> (24 - 8 * i));
  for (int i = 0; i < 8; ++i) req[40 + i] = cookie_[i];
  if (!so_.send_to(sock_, Endpoint{server, 123}, req, sizeof req)) {
    so_.abort(sock_);
    return failed("send", now_ms);
  }
  st_ = St::Asked;
  sent_ms_ = now_ms;
  due_ = now_ms + kAnswerTimeoutMs;
}

bool Ntp::take_answer(std::uint64_t now_ms) {
  std::uint8_t p[kPacket + 20];  // a longer datagram is truncated (extension fields unused)
  while (so_.rx_avail(sock_) > 0) {
    Endpoint from{};
    std::size_t n = so_.recv(sock_, p, sizeof p, &from);
    bool ok = n >= kPacket && from.ip == server_ && from.port == 123;
    ok = ok && (p[0] & 7) == 4 && (p[0] >> 6) != 3 && p[1] >= 1 && p[1] <= 15;
    for (int i = 0; ok && i < 8; ++i) ok = p[24 + i] == cookie_[i];
    const std::uint64_t tx = ok ? be64(p + 40) : 0;
    const std::uint64_t secs = tx >> 32;
    ok = ok && secs >= kUnixEpochInNtp;  // era 0 only (until 2036)
    if (!ok) {
      ++rejected_;
      continue;
    }
    // The server's transmit time, plus half the round trip for the way back.
    std::int64_t unix_ms =
        static_cast<std::int64_t>((secs - kUnixEpochInNtp) * 1000 + (((tx & 0xFFFFFFFFu) * 1000) >> 32));
    unix_ms += static_cast<std::int64_t>((now_ms - sent_ms_) / 2);
    const bool first = !synced_;
    const std::int64_t step = first ? 0 : unix_ms - time_.utc_ms();
    time_.set_utc(unix_ms);
    synced_ = true;
    ++answers_;
    backoff_ = kRetryMinMs;
    so_.abort(sock_);
    auto line = log_.event("net", "ntp-synced");
    line.kv_ip("server", server_).kv("unix_s", static_cast<std::uint64_t>(unix_ms / 1000));
    if (!first) line.kv("step_ms", step);
    schedule(now_ms + kResyncMs);
    return true;
  }
  return false;
}

void Ntp::failed(const char* why, std::uint64_t now_ms) {
  if (st_ == St::Asked) so_.abort(sock_);
  log_.event("net", "ntp-failed").kv("reason", why).kv("retry_s", backoff_ / 1000);
  schedule(now_ms + backoff_);
  backoff_ = backoff_ >= kRetryMaxMs / 2 ? kRetryMaxMs : backoff_ * 2;
}

}  // namespace lmc::net
