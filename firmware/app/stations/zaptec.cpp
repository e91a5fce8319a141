// The Zaptec cloud client (zaptec.h). Facts: chargers.md §5 (paths, state ids, the 15-min rule,
// rate limits), docs/stations.md (the simulated cloud's answers).
#include "app/stations/zaptec.h"

#include <cstring>

#include "app/http/message_writer.h"

namespace lmc::stations {
namespace {

Profile make_profile() {
  Profile p;
  p.name = "zaptec";
  p.cloud = true;
  return p;
}

// "12.345" (ValueAsString) -> 12345 (thousandths); false unless a plain decimal number.
bool parse_milli(const char* s, std::int32_t& out) {
  bool neg = false;
  if (*s == '-') {
    neg = true;
    ++s;
  }
  std::int64_t ip = 0, frac = 0;
  int digits = 0, fd = 0;
  while (*s >= '0' && *s <= '9') {
    ip = ip * 10 + (*s++ - '0');
    if (ip > 1000000) return false;
    ++digits;
  }
  if (*s == '.') {
    ++s;
    while (*s >= '0' && *s <= '9') {
      if (fd < 3) {
        frac = frac * 10 + (*s - '0');
        ++fd;
      }
      ++s;
      ++digits;
    }
  }
  if (*s != 0 || digits == 0) return false;
  for (; fd < 3; ++fd) frac *= 10;
  const std::int64_t v = ip * 1000 + frac;
  out = static_cast<std::int32_t>(neg ? -v : v);
  return true;
}

// A JSON number in A -> mA (rounded down to mA); false when absent, not a number or absurd.
bool amps_ma(const json::Value& v, std::int32_t& out) {
  double a;
  if (!v.get_number(a) || !(a > -10000.0 && a < 10000.0)) return false;
  out = static_cast<std::int32_t>(a * 1000.0);
  return true;
}

// Appends to a fixed buffer; never overflows (sets *ok = false instead).
struct Text {
  char* buf;
  std::size_t cap;
  std::size_t n = 0;
  bool ok = true;
  void put(const char* s) {
    while (*s) put_c(*s++);
  }
  void put_c(char c) {
    if (n + 1 >= cap) {
      ok = false;
      return;
    }
    buf[n++] = c;
    buf[n] = 0;
  }
  // mA as amperes with one decimal, rounded down to 0.1 A (Zaptec allocates 0.1 A steps).
  void amps(std::int32_t ma) {
    if (ma < 0) ma = 0;
    const std::int32_t d = ma / 100;
    char digits[12];
    int k = 0;
    std::int32_t w = d / 10;
    do {
      digits[k++] = static_cast<char>('0' + w % 10);
      w /= 10;
    } while (w > 0);
    while (k > 0) put_c(digits[--k]);
    put_c('.');
    put_c(static_cast<char>('0' + d % 10));
  }
  // application/x-www-form-urlencoded: unreserved characters as they are, the rest %XX.
  void form(const char* s) {
    static const char kHex[] = "0123456789ABCDEF";
    for (; *s; ++s) {
      const unsigned char c = static_cast<unsigned char>(*s);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
          c == '_' || c == '~') {
        put_c(static_cast<char>(c));
      } else {
        put_c('%');
        put_c(kHex[c >> 4]);
        put_c(kHex[c & 15]);
      }
    }
  }
};

// chargers.md §5 observation 710 (ChargerOperationMode): 1 disconnected, 2 connected and
// requesting, 3 charging, 5 connected finished / paused (evcc: 1 -> A, 2/5 -> B, 3 -> C).
lm::Iec mode_state(std::int32_t mode) {
  switch (mode) {
    case 1: return lm::Iec::A;
    case 2:
    case 5: return lm::Iec::B;
    case 3: return lm::Iec::C;
    default: return lm::Iec::Unknown;
  }
}

std::uint32_t parse_retry_after(std::string_view v) {
  std::uint32_t s = 0;
  bool any = false;
  for (char c : v) {
    if (c < '0' || c > '9') return 60;  // an HTTP date or garbage: a minute
    s = s * 10 + static_cast<std::uint32_t>(c - '0');
    any = true;
    if (s > Zaptec::kRetryAfterMaxS) return Zaptec::kRetryAfterMaxS;
  }
  return any ? (s == 0 ? 1 : s) : 60;
}

}  // namespace

const Profile& zaptec() {
  static const Profile p = make_profile();
  return p;
}

void Zaptec::configure(Sockets& so, int socket, net::Resolver& dns, Log* log) {
  so_ = &so;
  sock_ = socket;
  dns_ = &dns;
  log_ = log;
}

void Zaptec::set_account(const char* user, const char* password) {
  const bool same =
      std::strncmp(user, user_, sizeof user_) == 0 && std::strncmp(password, password_, sizeof password_) == 0;
  if (same) return;
  std::strncpy(user_, user, sizeof user_ - 1);
  user_[sizeof user_ - 1] = 0;
  std::strncpy(password_, password, sizeof password_ - 1);
  password_[sizeof password_ - 1] = 0;
  token_[0] = 0;  // a new account: a new token
  no_account_logged_ = false;
}

std::int32_t Zaptec::in_force_ma(int k, int phase) const {
  if (k < 0 || k >= n_inst_ || phase < 0 || phase >= lm::kPhases || !inst_[k].read) return -1;
  return inst_[k].avail_ma[phase];
}

int Zaptec::installation_index(const char* id) {
  for (int k = 0; k < n_inst_; ++k)
    if (std::strcmp(inst_[k].id, id) == 0) return k;
  if (n_inst_ >= kMaxInstallations) return -1;
  Installation& in = inst_[n_inst_];
  in = Installation{};
  std::strncpy(in.id, id, kIdLen - 1);
  return n_inst_++;
}

void Zaptec::error(const char* what, int status, std::uint64_t) {
  if (std::strcmp(what, err_what_) == 0 && status == err_status_) return;  // once per change
  err_what_ = what;
  err_status_ = status;
  if (log_) log_->event("zaptec", "error").kv("what", what).kv("status", status);
}

void Zaptec::ok() {
  backoff_ms_ = kRetryFirstMs;
  if (err_what_[0] == 0) return;
  if (log_) log_->event("zaptec", "ok").kv("was", err_what_);
  err_what_ = "";
  err_status_ = 0;
}

void Zaptec::backoff(std::uint64_t now_ms) {
  retry_at_ = now_ms + backoff_ms_;
  backoff_ms_ = backoff_ms_ * 2 > kRetryMaxMs ? kRetryMaxMs : backoff_ms_ * 2;
}

// The connection is gone (closed, reset, timed out): the request in flight is lost.
void Zaptec::drop(std::uint64_t now_ms, const char* what, int status) {
  if (conn_ != Conn::Down && conn_ != Conn::Resolving) so_->abort(sock_);
  conn_ = Conn::Down;
  flight_ = Req::None;
  tx_len_ = tx_sent_ = 0;
  parser_.next();
  if (what) {
    reachable_ = false;
    error(what, status, now_ms);
    backoff(now_ms);
  } else {
    retry_at_ = now_ms;  // an idle keep-alive closed by the server: reconnect when needed
  }
}

void Zaptec::map_drivers(Driver* drivers, int count) {
  any_cloud_ = false;
  for (int c = 0; c < n_ch_; ++c) ch_[c].drv = -1;
  for (int i = 0; i < count; ++i) {
    if (!drivers[i].configured() || !drivers[i].cloud()) continue;
    any_cloud_ = true;
    for (int c = 0; c < n_ch_; ++c)
      if (ch_[c].drv < 0 && std::strcmp(ch_[c].name, drivers[i].name()) == 0) {
        ch_[c].drv = i;
        break;
      }
  }
}

// A34: the allocator's slow-over-budget event asks for an early decrease. A fast station's EV that
// has not yet followed its cut (1-5 s) shows as over-budget for a cycle or two; the fast stations
// absorb first (LM-13), so only kProtectCycles consecutive cycles count.
void Zaptec::plan(const lm::Output* out) {
  bool over[kMaxInstallations] = {};
  for (int c = 0; c < n_ch_; ++c) {
    const Charger& ch = ch_[c];
    if (ch.drv < 0 || ch.inst < 0) continue;
    for (int e = 0; e < out->n_events; ++e)
      if (out->events[e].type == lm::EventType::SlowOverBudget && out->events[e].station == ch.drv)
        over[ch.inst] = true;
  }
  for (int k = 0; k < n_inst_; ++k) {
    Installation& in = inst_[k];
    in.over_cycles = over[k] ? in.over_cycles + 1 : 0;
    if (in.over_cycles >= kProtectCycles) in.protect = true;
  }
}

void Zaptec::feed_back(Driver* drivers, int count) {
  for (int i = 0; i < count; ++i) {
    if (!drivers[i].configured() || !drivers[i].cloud()) continue;
    // Not (yet) known in the cloud: it may charge at anything up to its max (conservative).
    const DriverConfig& cfg = drivers[i].config();
    std::int32_t alloc = cfg.max_a * 1000;
    for (int c = 0; c < n_ch_; ++c) {
      const Charger& ch = ch_[c];
      if (ch.drv != i || ch.inst < 0 || !inst_[ch.inst].read) continue;
      const Installation& in = inst_[ch.inst];
      int n = 0;
      for (int o = 0; o < n_ch_; ++o)
        if (ch_[o].inst == ch.inst) ++n;
      std::int32_t f = 0;
      for (int p = 0; p < lm::kPhases; ++p)
        if (in.avail_ma[p] > f) f = in.avail_ma[p];
      // The installation's total is shared by its chargers (the cloud's load balancer): each is
      // reserved an equal part, so their reservations add up to what the installation may draw.
      alloc = f / (n > 0 ? n : 1);
      if (ch.cap_ma >= 0 && ch.cap_ma < alloc) alloc = ch.cap_ma;
      if (alloc > cfg.max_a * 1000) alloc = cfg.max_a * 1000;
      // CL-10: out of the cloud's reach the charger may fall back to its offline current.
      if (!reachable_) {
        const std::int32_t off = ch.offline_ma >= 0 ? ch.offline_ma : cfg.fallback_a * 1000;
        if (off > alloc) alloc = off;
      }
    }
    drivers[i].set_slow_alloc_ma(alloc);
  }
}

void Zaptec::service(Driver* drivers, int count, const lm::Output* out, std::uint64_t now_ms) {
  if (!so_ || sock_ < 0) return;
  map_drivers(drivers, count);
  if (!any_cloud_) {
    if (conn_ != Conn::Down) drop(now_ms, nullptr, 0);
    return;
  }
  if (out) {
    plan(out);
    alloc_at_ = now_ms;
  }
  connection(now_ms);
  if (conn_ == Conn::Up) receive(drivers, count, now_ms);
  if (conn_ == Conn::Up && flight_ == Req::None) send_next(drivers, count, now_ms);
  if (conn_ == Conn::Up && tx_sent_ < tx_len_) {
    const std::size_t n = so_->send(sock_, tx_ + tx_sent_, tx_len_ - tx_sent_);
    tx_sent_ += n;
  }
  feed_back(drivers, count);
}

void Zaptec::connection(std::uint64_t now_ms) {
  switch (conn_) {
    case Conn::Down:
    case Conn::Resolving: {
      if (now_ms < retry_at_) return;
      if (user_[0] == 0) {
        if (!no_account_logged_ && log_)
          log_->event("zaptec", "error").kv("what", "no_account").kv("setting", "zaptec.username");
        no_account_logged_ = true;
        return;
      }
      std::uint32_t ip = 0;
      const int r = dns_->lookup(kHost, &ip, now_ms);
      if (r == 0) {
        conn_ = Conn::Resolving;
        return;
      }
      if (r < 0) {
        conn_ = Conn::Down;
        reachable_ = false;
        error("dns", 0, now_ms);
        backoff(now_ms);
        return;
      }
      peer_ = Endpoint{ip, kPort};
      so_->abort(sock_);
      so_->take_events(sock_);
      so_->tcp_connect(sock_, peer_, kConnectTimeoutMs);
      conn_ = Conn::Connecting;
      conn_since_ = now_ms;
      return;
    }
    case Conn::Connecting: {
      const std::uint32_t ev = so_->take_events(sock_);
      const Sockets::State st = so_->state(sock_);
      if ((ev & Sockets::kConnected) || st == Sockets::State::Established) {
        conn_ = Conn::Up;
        parser_.next();
        tx_len_ = tx_sent_ = 0;
        return;
      }
      if ((ev & (Sockets::kError | Sockets::kClosed)) || now_ms - conn_since_ > kConnectTimeoutMs + 2000) {
        const int err = static_cast<int>(so_->error(sock_));
        drop(now_ms, "connect", err);
      }
      return;
    }
    case Conn::Up: {
      if (flight_ != Req::None && now_ms >= flight_deadline_) drop(now_ms, "timeout", 0);
      return;
    }
  }
}

void Zaptec::receive(Driver* drivers, int count, std::uint64_t now_ms) {
  const std::uint32_t ev = so_->take_events(sock_);
  char buf[512];
  std::size_t got;
  while (conn_ == Conn::Up && (got = so_->recv(sock_, buf, sizeof buf)) > 0) {
    const char* p = buf;
    std::size_t n = got;
    while (n > 0 && conn_ == Conn::Up) {
      if (flight_ == Req::None) {  // bytes nobody asked for: not a server we can trust
        drop(now_ms, "unexpected_data", 0);
        return;
      }
      const http::ParseState s = parser_.feed(p, n);
      if (s == http::ParseState::kError) {
        drop(now_ms, "bad_response", 0);
        return;
      }
      if (s != http::ParseState::kComplete) break;
      const bool keep = parser_.response().keep_alive;
      on_response(drivers, count, parser_.response(), now_ms);
      parser_.next();
      if (!keep) {
        drop(now_ms, nullptr, 0);
        return;
      }
    }
  }
  const Sockets::State st = so_->state(sock_);
  if ((ev & (Sockets::kClosed | Sockets::kError)) || st != Sockets::State::Established) {
    if (flight_ != Req::None && parser_.finish() == http::ParseState::kComplete)
      on_response(drivers, count, parser_.response(), now_ms);
    drop(now_ms, flight_ != Req::None ? "closed" : nullptr, 0);
  }
}

bool Zaptec::send(Req r, int arg, const char* method, const char* target, const char* body, std::size_t body_len,
                  std::uint64_t now_ms) {
  http::MessageWriter w(tx_, sizeof tx_);
  const http::Method m = std::strcmp(method, "POST") == 0 ? http::Method::kPost : http::Method::kGet;
  w.request(m, target).header("Host", kHost);
  if (r != Req::Token) {
    char auth[8 + sizeof token_];
    Text a{auth, sizeof auth};
    a.put("Bearer ");
    a.put(token_);
    w.header("Authorization", std::string_view(auth, a.n));
  }
  if (body) {
    w.header("Content-Type", r == Req::Token ? "application/x-www-form-urlencoded" : "application/json");
    w.body(std::string_view(body, body_len));
  } else {
    w.body("");
  }
  if (!w.ok()) {  // too long (a huge id from the cloud): never send half a request
    error("request_too_long", 0, now_ms);
    return false;
  }
  tx_len_ = w.size();
  tx_sent_ = 0;
  flight_ = r;
  flight_arg_ = arg;
  flight_method_ = m;
  flight_deadline_ = now_ms + kResponseTimeoutMs;
  parser_.next();
  parser_.expect(m);
  ++requests_;
  return true;
}

bool Zaptec::send_next(Driver* drivers, int count, std::uint64_t now_ms) {
  (void)count;
  char target[160];
  char body[256];
  if (now_ms < hold_all_until_) return false;
  // 1. A token (OAuth2 password grant, form-encoded: chargers.md §5).
  if (token_[0] == 0) {
    Text b{body, sizeof body};
    b.put("grant_type=password&username=");
    b.form(user_);
    b.put("&password=");
    b.form(password_);
    if (!b.ok) {
      error("account_too_long", 0, now_ms);
      return false;
    }
    return send(Req::Token, -1, "POST", "/oauth/token", body, b.n, now_ms);
  }
  // 2. The charger list: which charger is which station, in which installation.
  bool unmapped = false;
  for (int i = 0; i < count; ++i)
    if (drivers[i].configured() && drivers[i].cloud()) {
      bool found = false;
      for (int c = 0; c < n_ch_; ++c) found = found || ch_[c].drv == i;
      unmapped = unmapped || !found;
    }
  if (!listed_ || (unmapped && now_ms - listed_at_ >= kListRefreshMs))
    return send(Req::List, -1, "GET", "/api/chargers", nullptr, 0, now_ms);
  // 3. Each installation's allocation in force before ours.
  for (int k = 0; k < n_inst_; ++k) {
    if (inst_[k].read) continue;
    Text t{target, sizeof target};
    t.put("/api/installation/");
    t.put(inst_[k].id);
    if (t.ok) return send(Req::Installation, k, "GET", target, nullptr, 0, now_ms);
  }
  // 4. Installation updates (<= 1 per 15 min; a fuse-protecting decrease earlier: A34).
  for (int k = 0; k < n_inst_; ++k) {
    Installation& in = inst_[k];
    std::int32_t want[lm::kPhases] = {0, 0, 0};
    bool all_known = true, any = false;
    for (int c = 0; c < n_ch_; ++c) {
      const Charger& ch = ch_[c];
      if (ch.inst != k || ch.drv < 0) continue;
      any = true;
      // Never decide before its EV state is known (a booting charger reports mode 0): a 0 pushed
      // for "no EV" would hold an arriving EV off for up to 15 min.
      // And only with an allocation computed after that state arrived.
      all_known = all_known && ch.have_state && drivers[ch.drv].state() != lm::Iec::Unknown && ch.state_at < alloc_at_;
      const std::int32_t t = drivers[ch.drv].target_ma();
      for (int p = 0; p < lm::kPhases; ++p) want[p] += t > 0 ? t : 0;
    }
    if (!any || !all_known) continue;
    bool differs = false, decrease = false;
    for (int p = 0; p < lm::kPhases; ++p) {
      want[p] = want[p] / 100 * 100;
      differs = differs || want[p] != in.avail_ma[p];
      decrease = decrease || want[p] < in.avail_ma[p];
    }
    if (!decrease) in.protect = false;
    if (!differs || now_ms < in.hold_until) continue;
    const bool due = !in.updated || now_ms - in.updated_at >= kUpdateMinMs;
    const bool protect = in.protect && decrease;
    if (!due && !protect) continue;
    if (!due && log_)
      log_->event("zaptec", "fuse_decrease")
          .kv("installation", in.id)
          .kv("l1_ma", want[0])
          .kv("since_last_s", (now_ms - in.updated_at) / 1000);
    Text t{target, sizeof target};
    t.put("/api/installation/");
    t.put(in.id);
    t.put("/update");
    Text b{body, sizeof body};
    b.put("{\"AvailableCurrentPhase1\":");
    b.amps(want[0]);
    b.put(",\"AvailableCurrentPhase2\":");
    b.amps(want[1]);
    b.put(",\"AvailableCurrentPhase3\":");
    b.amps(want[2]);
    b.put("}");
    if (!t.ok || !b.ok) continue;
    for (int p = 0; p < lm::kPhases; ++p) in.sending_ma[p] = want[p];
    return send(Req::InstUpdate, k, "POST", target, body, b.n, now_ms);
  }
  // 5. Per-charger caps (fuse protection when the installation update was refused).
  for (int c = 0; c < n_ch_; ++c) {
    Charger& ch = ch_[c];
    if (ch.drv < 0 || ch.want_cap_ma == ch.cap_ma) continue;
    Text t{target, sizeof target};
    t.put("/api/chargers/");
    t.put(ch.id);
    t.put("/update");
    Text b{body, sizeof body};
    b.put("{\"maxChargeCurrent\":");
    const std::int32_t lim = drivers[ch.drv].config().max_a * 1000;
    b.amps(ch.want_cap_ma >= 0 && ch.want_cap_ma < lim ? ch.want_cap_ma : (lim > 32000 ? 32000 : lim));
    b.put("}");
    if (!t.ok || !b.ok) {
      ch.want_cap_ma = ch.cap_ma;
      continue;
    }
    return send(Req::ChargerCap, c, "POST", target, body, b.n, now_ms);
  }
  // 6. Charger states, the oldest first, each at most every 15 s (the cloud's cache).
  int oldest = -1;
  for (int c = 0; c < n_ch_; ++c) {
    const Charger& ch = ch_[c];
    if (ch.drv < 0) continue;
    if (ch.have_state && now_ms - ch.state_at < kStatePollMs) continue;
    if (oldest < 0 || ch.state_at < ch_[oldest].state_at) oldest = c;
  }
  if (oldest >= 0) {
    Text t{target, sizeof target};
    t.put("/api/chargers/");
    t.put(ch_[oldest].id);
    t.put("/state");
    if (t.ok) return send(Req::State, oldest, "GET", target, nullptr, 0, now_ms);
  }
  return false;
}

void Zaptec::on_response(Driver* drivers, int count, const http::Response& r, std::uint64_t now_ms) {
  const Req req = flight_;
  const int arg = flight_arg_;
  flight_ = Req::None;
  reachable_ = true;
  ever_reached_ = true;
  if (r.status == 401) {  // the token expired or was revoked: a new one, then go on
    token_[0] = 0;
    error("unauthorised", 401, now_ms);
    hold_all_until_ = now_ms + 1000;  // never a tight token/401 loop
    return;
  }
  if (r.status == 429) {
    const std::uint32_t s = parse_retry_after(r.headers.get("Retry-After"));
    error("rate_limited", 429, now_ms);
    if (req == Req::InstUpdate && arg >= 0 && arg < n_inst_) {
      Installation& in = inst_[arg];
      in.hold_until = now_ms + s * 1000u;
      // A34: the fuse comes first. The installation refused the early decrease: lower each of its
      // chargers' maxChargeCurrent to its share of the wanted allocation instead.
      if (in.protect) {
        for (int c = 0; c < n_ch_; ++c)
          if (ch_[c].inst == arg && ch_[c].drv >= 0) {
            const std::int32_t t = drivers[ch_[c].drv].target_ma();
            ch_[c].want_cap_ma = t > 0 ? t / 100 * 100 : 0;
          }
        in.protect = false;
        if (log_) log_->event("zaptec", "charger_caps").kv("installation", in.id).kv("retry_after_s", s);
      }
    } else {
      hold_all_until_ = now_ms + s * 1000u;
    }
    return;
  }
  if (r.status >= 500) {
    error("server", r.status, now_ms);
    hold_all_until_ = now_ms + backoff_ms_;
    backoff_ms_ = backoff_ms_ * 2 > kRetryMaxMs ? kRetryMaxMs : backoff_ms_ * 2;
    return;
  }
  if (r.status != 200) {
    error("rejected", r.status, now_ms);
    switch (req) {
      case Req::Token:  // a bad account: back off (the installer has to fix the settings)
        hold_all_until_ = now_ms + backoff_ms_;
        backoff_ms_ = backoff_ms_ * 2 > kRetryMaxMs ? kRetryMaxMs : backoff_ms_ * 2;
        break;
      case Req::State:
        if (arg >= 0 && arg < n_ch_) {
          ch_[arg].state_at = now_ms;  // not again before the next poll
          if (r.status == 404) listed_ = false;
        }
        break;
      case Req::InstUpdate:
        if (arg >= 0 && arg < n_inst_) inst_[arg].hold_until = now_ms + kUpdateMinMs;
        break;
      case Req::ChargerCap:
        if (arg >= 0 && arg < n_ch_) ch_[arg].want_cap_ma = ch_[arg].cap_ma;
        break;
      case Req::Installation:
        if (arg >= 0 && arg < n_inst_) {  // unreadable: assume its maximum is unknown, keep max
          inst_[arg].read = true;
          for (std::int32_t& a : inst_[arg].avail_ma) a = -1;
        }
        break;
      default: hold_all_until_ = now_ms + kRetryFirstMs; break;
    }
    return;
  }
  const bool json_body = req != Req::InstUpdate && req != Req::ChargerCap;
  json::Value root;
  if (json_body) {
    if (doc_.parse(r.body) != json::Error::kNone) {
      error("bad_json", 200, now_ms);
      if (req == Req::State && arg >= 0 && arg < n_ch_)
        ch_[arg].state_at = now_ms;
      else  // a list too long for the token array (more than kMaxChargers) must not loop fast
        hold_all_until_ = now_ms + (req == Req::List ? 60000u : kRetryFirstMs);
      return;
    }
    root = doc_.root();
  }
  ok();
  switch (req) {
    case Req::Token:
      on_token(root);
      if (token_[0] == 0) {  // no usable token in a 200: not a loop of token requests
        error("bad_token", 200, now_ms);
        hold_all_until_ = now_ms + 60000;
      }
      break;
    case Req::List: on_list(root, now_ms); break;
    case Req::Installation: on_installation(arg, root); break;
    case Req::State: on_state(drivers, count, arg, root, now_ms); break;
    case Req::InstUpdate:
      if (arg >= 0 && arg < n_inst_) {
        Installation& in = inst_[arg];
        for (int p = 0; p < lm::kPhases; ++p) in.avail_ma[p] = in.sending_ma[p];
        in.read = true;
        in.updated = true;
        in.updated_at = now_ms;
        in.protect = false;
        ++inst_updates_;
        if (log_)
          log_->event("zaptec", "update")
              .kv("installation", in.id)
              .kv("l1_ma", in.avail_ma[0])
              .kv("l2_ma", in.avail_ma[1])
              .kv("l3_ma", in.avail_ma[2]);
        // The installation carries the allocation again: lift any per-charger cap.
        for (int c = 0; c < n_ch_; ++c)
          if (ch_[c].inst == arg && ch_[c].cap_ma >= 0) ch_[c].want_cap_ma = -1;
      }
      break;
    case Req::ChargerCap:
      if (arg >= 0 && arg < n_ch_) {
        ch_[arg].cap_ma = ch_[arg].want_cap_ma;
        if (log_ && ch_[arg].cap_ma >= 0)
          log_->event("zaptec", "charger_cap").kv("name", ch_[arg].name).kv("max_ma", ch_[arg].cap_ma);
        else if (log_)
          log_->event("zaptec", "charger_cap_lifted").kv("name", ch_[arg].name);
      }
      break;
    default: break;
  }
}

void Zaptec::on_token(const json::Value& root) {
  if (!root["access_token"].get_string(token_, sizeof token_)) token_[0] = 0;
  if (token_[0] && log_) log_->event("zaptec", "authorised");
}

void Zaptec::on_list(const json::Value& root, std::uint64_t now_ms) {
  const json::Value data = root["Data"];
  if (!data.is_array()) return;
  Charger keep[kMaxChargers];
  const int old_n = n_ch_;
  for (int c = 0; c < old_n; ++c) keep[c] = ch_[c];
  n_ch_ = 0;
  for (std::size_t k = 0; k < data.size() && n_ch_ < kMaxChargers; ++k) {
    const json::Value it = data[k];
    Charger c;
    char inst[kIdLen];
    if (!it["Id"].get_string(c.id, sizeof c.id) || !it["Name"].get_string(c.name, sizeof c.name) ||
        !it["InstallationId"].get_string(inst, sizeof inst) || c.id[0] == 0)
      continue;
    c.inst = installation_index(inst);
    if (c.inst < 0) continue;
    for (int o = 0; o < old_n; ++o)  // keep what we know of a charger we listed before
      if (std::strcmp(keep[o].id, c.id) == 0) {
        c.state_at = keep[o].state_at;
        c.have_state = keep[o].have_state;
        c.offline_ma = keep[o].offline_ma;
        c.cap_ma = keep[o].cap_ma;
        c.want_cap_ma = keep[o].want_cap_ma;
      }
    ch_[n_ch_++] = c;
  }
  listed_ = true;
  listed_at_ = now_ms;
  if (log_) log_->event("zaptec", "chargers").kv("count", n_ch_).kv("installations", n_inst_);
}

void Zaptec::on_installation(int k, const json::Value& root) {
  if (k < 0 || k >= n_inst_) return;
  Installation& in = inst_[k];
  static const char* kKeys[] = {"AvailableCurrentPhase1", "AvailableCurrentPhase2", "AvailableCurrentPhase3"};
  std::int32_t mx = -1;
  amps_ma(root["MaxCurrent"], mx);
  for (int p = 0; p < lm::kPhases; ++p) {
    std::int32_t a;
    in.avail_ma[p] = amps_ma(root[kKeys[p]], a) && a >= 0 ? a : mx;  // < 0: no override, the max
  }
  in.read = true;
}

void Zaptec::on_state(Driver* drivers, int, int c, const json::Value& root, std::uint64_t now_ms) {
  if (c < 0 || c >= n_ch_) return;
  Charger& ch = ch_[c];
  ch.state_at = now_ms;
  if (!root.is_array()) return;
  std::int32_t cur[lm::kPhases] = {-1, -1, -1};
  lm::Iec st = lm::Iec::Unknown;
  bool have_mode = false;
  for (std::size_t k = 0; k < root.size(); ++k) {
    const json::Value o = root[k];
    std::int64_t id;
    char v[32];
    if (!o["StateId"].get_int(id) || !o["ValueAsString"].get_string(v, sizeof v)) continue;
    std::int32_t milli;
    if (!parse_milli(v, milli)) continue;
    if (id >= 507 && id <= 509 && milli >= 0 && milli <= 100000) cur[id - 507] = milli;  // A -> mA
    if (id == 523 && milli >= 0 && milli <= 32000) ch.offline_ma = milli;
    if (id == 710) {
      st = mode_state(milli / 1000);
      have_mode = true;
    }
  }
  if (!have_mode) return;  // not a state answer we understand: keep the last one
  ch.have_state = true;
  if (ch.drv >= 0) drivers[ch.drv].cloud_reading(st, cur, now_ms);
}

}  // namespace lmc::stations
