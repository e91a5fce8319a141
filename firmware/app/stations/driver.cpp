#include "app/stations/driver.h"

namespace lmc::stations {
namespace {

const char* iec_name(lm::Iec s) {
  switch (s) {
    case lm::Iec::A: return "A";
    case lm::Iec::B: return "B";
    case lm::Iec::C: return "C";
    case lm::Iec::D: return "D";
    case lm::Iec::E: return "E";
    case lm::Iec::F: return "F";
    default: return "unknown";
  }
}

const char* op_name(int fc) {
  switch (fc) {
    case modbus::kReadHoldingRegisters: return "read";
    case modbus::kReadInputRegisters: return "read_input";
    default: return "write";
  }
}

// Encodes v (already in register units) as f into regs; returns the register count.
int encode(std::int32_t v, Format f, std::uint16_t* regs) {
  switch (f) {
    case Format::U16: regs[0] = static_cast<std::uint16_t>(v); return 1;
    case Format::U32HiLo:
    case Format::U32LoHi: {
      const auto u = static_cast<std::uint32_t>(v);
      const bool lo_first = f == Format::U32LoHi;
      regs[lo_first ? 1 : 0] = static_cast<std::uint16_t>(u >> 16);
      regs[lo_first ? 0 : 1] = static_cast<std::uint16_t>(u & 0xFFFF);
      return 2;
    }
    case Format::F32HiLo:
    case Format::F32LoHi: {
      const float x = static_cast<float>(v);
      std::uint32_t u;
      __builtin_memcpy(&u, &x, sizeof u);
      const bool lo_first = f == Format::F32LoHi;
      regs[lo_first ? 1 : 0] = static_cast<std::uint16_t>(u >> 16);
      regs[lo_first ? 0 : 1] = static_cast<std::uint16_t>(u & 0xFFFF);
      return 2;
    }
  }
  return 1;
}

}  // namespace

void Driver::configure(const Profile& p, const DriverConfig& c, Log* log) {
  const bool same = configured_ && p.setpoint_reg == prof_.setpoint_reg && p.unit == prof_.unit &&
                    c.fallback_a == cfg_.fallback_a && c.timeout_s == cfg_.timeout_s;
  prof_ = p;
  cfg_ = c;
  log_ = log;
  configured_ = true;
  // A changed map or watchdog setting is written again before the next increase (CFG-12).
  if (!same) {
    need_init_ = true;
    if (phase_ == Phase::Running) {
      phase_ = Phase::Init;
      if (link_ == Link::Up) close_ = true;
    }
  }
}

std::int32_t Driver::current_ma(int p) const {
  if (p < 0 || p >= lm::kPhases) return 0;
  if (cur_known_[p]) return cur_ma_[p];
  // No meter reading on this phase: assume the station draws what it was told while charging.
  const bool drawing = state_ == lm::Iec::C || state_ == lm::Iec::D;
  return drawing && written_a_ > 0 ? written_a_ * 1000 : 0;
}

void Driver::push(Op op, std::uint8_t arg) {
  if (n_q_ >= kQueue) return;  // cannot happen with one cycle's worth queued; never overwrite
  q_[(q_head_ + n_q_) % kQueue] = {op, arg};
  ++n_q_;
}

bool Driver::queued(Op op) const {
  for (int i = 0; i < n_q_; ++i)
    if (q_[(q_head_ + i) % kQueue].op == op) return true;
  return in_flight_ && flight_.op == op;
}

void Driver::clear_queue() {
  n_q_ = 0;
  q_head_ = 0;
  if (in_flight_) client_.cancel(flight_tx_);
  in_flight_ = false;
}

void Driver::start_init(std::uint64_t now_ms, const char* why) {
  clear_queue();
  phase_ = Phase::Init;
  init_ok_ = true;
  ++inits_;
  if (log_) log_->event("station", "init").kv("name", cfg_.name).kv("why", why);
  if (prof_.fallback_reg != kNoReg) push(Op::WriteFallback);
  if (prof_.timeout_reg != kNoReg) push(Op::WriteTimeout);
  if (prof_.fallback_reg != kNoReg) push(Op::ReadFallback);
  if (prof_.timeout_reg != kNoReg) push(Op::ReadTimeout);
  if (prof_.check != Check::None) push(Op::CheckVendor);
  for (int b = 0; b < prof_.n_poll; ++b) push(Op::Poll, static_cast<std::uint8_t>(b));
  push(Op::InitDone);
  verified_at_ = now_ms;
  heartbeat_at_ = now_ms;
}

void Driver::cycle(std::uint64_t now_ms) {
  if (!configured_) return;
  // Session energy from the last reading (LM-05 tie-break), 230 V nominal per phase.
  if (last_cycle_ms_ != 0 && online()) {
    const std::uint64_t dt = now_ms - last_cycle_ms_;
    std::int64_t ma = 0;
    for (int p = 0; p < lm::kPhases; ++p) ma += current_ma(p);
    if (ma > 0) session_mwh_ += static_cast<std::uint64_t>(ma) * 230u * dt / 3600000u;
  }
  last_cycle_ms_ = now_ms;
  if (prof_.cloud || phase_ != Phase::Running || offline_) return;
  // Late answers of a slow station: never stack a second cycle on top of the first.
  if (busy() && queued(Op::Poll)) return;

  const std::int32_t a = command_a(now_ms);
  if (target_ma_ != logged_target_ma_ && target_ma_ > 0 && a == 0 && log_)
    log_->event("station", "below_min").kv("name", cfg_.name).kv("asked_ma", target_ma_).kv("sent_a", 0);
  logged_target_ma_ = target_ma_;
  const bool decrease = written_a_ < 0 || a < written_a_;
  const bool changed = a != written_a_;
  if (changed && decrease) push(Op::WriteSetpoint);  // cut at once, before the poll
  for (int b = 0; b < prof_.n_poll; ++b) push(Op::Poll, static_cast<std::uint8_t>(b));
  if (changed && !decrease)
    push(Op::WriteSetpoint);
  else if (!changed && now_ms - written_at_ >= kRefreshMs)
    push(Op::WriteSetpoint);
  if (prof_.heartbeat != Heartbeat::AnyRead && now_ms - heartbeat_at_ >= heartbeat_period_ms()) {
    heartbeat_at_ = now_ms;
    push(prof_.heartbeat == Heartbeat::Countdown ? Op::WriteTimeout : Op::Heartbeat);
  }
  if (now_ms - verified_at_ >= kVerifyMs) {  // ST-09: write and read back every 10 min
    verified_at_ = now_ms;
    if (prof_.fallback_reg != kNoReg) push(Op::WriteFallback);
    if (prof_.timeout_reg != kNoReg && !queued(Op::WriteTimeout)) push(Op::WriteTimeout);
    if (prof_.fallback_reg != kNoReg) push(Op::ReadFallback);
    if (prof_.timeout_reg != kNoReg) push(Op::ReadTimeout);
    if (prof_.check != Check::None) push(Op::CheckVendor);
  }
  // ST-05: a car waiting in B that never charged although it was offered current.
  if (prof_.rfid_hint && !rfid_hinted_ && state_ == lm::Iec::B && !charged_this_session_ && written_a_ >= cfg_.min_a &&
      b_since_ != 0 && now_ms - b_since_ >= kRfidHintMs) {
    rfid_hinted_ = true;
    warned_ = true;
    if (log_)
      log_->event("station", "warning")
          .kv("name", cfg_.name)
          .kv("hint", "car waits in B: RFID authentication still on? Set DIP switch 10 OFF, then restart the station");
  }
}

// The set-point to command now, in A: 0 or [min, max] (LM-04), and for the first 10 s after an
// initialisation no more than the fall-back current (PWR-04: the first command <= fall-back, then
// one LM-03 step later the allocator's value; the allocator may still hold a pre-reboot value).
std::int32_t Driver::command_a(std::uint64_t now_ms) {
  std::int32_t a = target_ma_ <= 0 ? 0 : target_ma_ / 1000;
  if (a > 0 && a < cfg_.min_a) a = 0;
  if (a > cfg_.max_a) a = cfg_.max_a;
  if (capped_after_init_ && now_ms >= ready_at_ + kRampHoldMs) capped_after_init_ = false;
  if (capped_after_init_ && a > cfg_.fallback_a && cfg_.fallback_a >= cfg_.min_a) a = cfg_.fallback_a;
  return a;
}

// TQ-DM100 / Unite life bit: written every half of the timeout (chargers.md §3.1 "EM writes 1
// every ½ comTimeout", §3.2 "EVSE checks every failsafe-timeout/2"), and at least every 10 s (A21).
std::uint32_t Driver::heartbeat_period_ms() const {
  std::uint32_t ms = prof_.heartbeat_ms;
  if (prof_.heartbeat == Heartbeat::LifeBit && cfg_.timeout_s > 0) {
    const std::uint32_t half = static_cast<std::uint32_t>(cfg_.timeout_s) * 500u;
    if (half < ms) ms = half < 1000u ? 1000u : half;
  }
  return ms;
}

void Driver::cloud_reading(lm::Iec state, const std::int32_t* current_ma, std::uint64_t now_ms) {
  if (!prof_.cloud) return;
  Reading rd;
  rd.have_state = true;
  rd.state = state;
  rd.currents = 0x7;
  for (int p = 0; p < lm::kPhases; ++p) rd.current_ma[p] = current_ma[p];
  have_reading_ = true;
  phase_ = Phase::Running;
  on_reading(rd, now_ms);
}

bool Driver::wants_connection(std::uint64_t now_ms, bool persistent) const {
  if (!configured_ || prof_.cloud || link_ != Link::Down) return false;
  if (now_ms < retry_at_) return false;
  return persistent || need_init_ || offline_ || busy() || phase_ != Phase::Running;
}

void Driver::on_connecting(std::uint64_t) {
  link_ = Link::Connecting;
  close_ = false;
}

void Driver::on_connected(std::uint64_t now_ms) {
  link_ = Link::Up;
  close_ = false;
  client_.reset();
  in_flight_ = false;
  if (log_ && (offline_ || need_init_)) log_->event("station", "connected").kv("name", cfg_.name);
  if (need_init_ || offline_ || phase_ != Phase::Running) {
    need_init_ = false;
    start_init(now_ms, offline_ ? "reconnect" : "connect");
  }
}

void Driver::on_connect_failed(std::uint64_t now_ms, int error) {
  link_ = Link::Down;
  need_init_ = true;
  phase_ = Phase::Init;
  // No address or no link (NETC errors 4, 11): the station is not to blame. Try again each
  // second without counting, so control resumes quickly when the LAN returns (NET-07).
  if (error == kErrNoLink || error == kErrNoNetwork) {
    retry_at_ = now_ms + 1000;
    backoff_ms_ = kRetryFirstMs;
    return;
  }
  if (log_ && !offline_) log_->event("station", "connect_failed").kv("name", cfg_.name).kv("error", error);
  need_init_ = true;
  phase_ = Phase::Init;
  fail(now_ms, "connect");
  if (!offline_) retry_at_ = now_ms + 1000;
  // Refused (RST): the host is there, its Modbus server is not yet (booting after a power cut).
  // Retry every 5 s instead of backing off to 60 s: the station charges at its own default
  // until it is re-initialised (ST-13, PWR-04, SAFE-05).
  else if (error == kErrRefused && retry_at_ > now_ms + kRetryRefusedMs)
    retry_at_ = now_ms + kRetryRefusedMs;
}

void Driver::on_closed(std::uint64_t now_ms, bool by_pool) {
  link_ = Link::Down;
  close_ = false;
  const bool clean = by_pool && !busy() && phase_ == Phase::Running;
  clear_queue();
  if (clean) return;
  // The station closed it (power cut, reboot, its own timeout): it may have lost every setting.
  if (!offline_ && log_) log_->event("station", "disconnected").kv("name", cfg_.name);
  need_init_ = true;
  phase_ = Phase::Init;
  if (!offline_ && !by_pool) retry_at_ = now_ms + 1000;
}

std::size_t Driver::next_request(std::uint8_t* out, std::size_t cap, std::uint64_t now_ms) {
  if (link_ != Link::Up || in_flight_ || close_) return 0;
  while (n_q_ > 0) {
    const Item it = q_[q_head_];
    q_head_ = (q_head_ + 1) % kQueue;
    --n_q_;
    modbus::Request r;
    std::uint16_t regs[2] = {0, 0};
    std::uint16_t value = 0;
    switch (it.op) {
      case Op::InitDone:
        if (init_ok_ || init_attempts_ >= 2) {
          if (!init_ok_ && log_) log_->event("station", "init_unverified").kv("name", cfg_.name);
          init_attempts_ = 0;
          phase_ = Phase::Running;
          capped_after_init_ = true;
          ready_at_ = now_ms;
          written_a_ = -1;
          if (log_)
            log_->event("station", "ready")
                .kv("name", cfg_.name)
                .kv("fallback_a", prof_.fallback_reg != kNoReg ? cfg_.fallback_a : -1)
                .kv("timeout_s", prof_.timeout_reg != kNoReg ? cfg_.timeout_s : -1);
          if (offline_) {
            offline_ = false;
            backoff_ms_ = kRetryFirstMs;
            if (log_) log_->event("station", "online").kv("name", cfg_.name);
          }
        } else {
          ++init_attempts_;
          start_init(now_ms, "readback");
        }
        continue;
      case Op::Poll: {
        const Block& b = prof_.poll[it.arg];
        r = b.input ? modbus::Request::read_input(prof_.unit, b.addr, b.count)
                    : modbus::Request::read_holding(prof_.unit, b.addr, b.count);
        break;
      }
      case Op::WriteSetpoint: {
        if (phase_ != Phase::Running) continue;
        const std::int32_t a = command_a(now_ms);
        value = static_cast<std::uint16_t>(a);
        const int n = encode(a * prof_.setpoint_per_a, prof_.setpoint_format, regs);
        r = modbus::Request::write_registers(prof_.unit, prof_.setpoint_reg, static_cast<std::uint16_t>(n), regs);
        break;
      }
      case Op::WriteFallback:
        regs[0] = static_cast<std::uint16_t>(cfg_.fallback_a);
        r = modbus::Request::write_registers(prof_.unit, prof_.fallback_reg, 1, regs);
        break;
      case Op::WriteTimeout: {
        const int n = encode(cfg_.timeout_s * prof_.timeout_per_s, prof_.timeout_format, regs);
        r = modbus::Request::write_registers(prof_.unit, prof_.timeout_reg, static_cast<std::uint16_t>(n), regs);
        break;
      }
      case Op::ReadFallback: {
        const std::uint16_t a = prof_.fallback_rb_reg != kNoReg ? prof_.fallback_rb_reg : prof_.fallback_reg;
        r = modbus::Request::read_holding(prof_.unit, a, 1);
        break;
      }
      case Op::ReadTimeout: {
        const std::uint16_t a = prof_.timeout_rb_reg != kNoReg ? prof_.timeout_rb_reg : prof_.timeout_reg;
        r = modbus::Request::read_holding(prof_.unit, a, static_cast<std::uint16_t>(words(prof_.timeout_format)));
        break;
      }
      case Op::Heartbeat:
        regs[0] = 1;
        r = modbus::Request::write_registers(prof_.unit, prof_.heartbeat_reg, 1, regs);
        break;
      case Op::CheckVendor:
        r = prof_.check == Check::AbbFirmware ? modbus::Request::read_holding(prof_.unit, 0x4004, 2)
                                              : modbus::Request::read_holding(prof_.unit, 600, 1);
        break;
    }
    const std::size_t len = client_.encode(r, out, cap, &flight_tx_);
    if (len == 0) continue;  // cannot be encoded (a bad generic map): skip, never send garbage
    in_flight_ = true;
    flight_ = it;
    flight_value_ = value;
    flight_deadline_ = now_ms + kRequestTimeoutMs;
    ++requests_;
    return len;
  }
  return 0;
}

bool Driver::on_rx(const std::uint8_t* data, std::size_t n, std::uint64_t now_ms) {
  while (n > 0) {
    modbus::Response resp;
    const modbus::Client::Result res = client_.feed(data, n, resp);
    if (res == modbus::Client::Result::kError) {
      if (log_) log_->event("station", "bad_reply").kv("name", cfg_.name);
      clear_queue();
      fail(now_ms, "bad_reply");
      close_ = true;
      return false;
    }
    if (res == modbus::Client::Result::kResponse && in_flight_ && resp.transaction == flight_tx_) handle(resp, now_ms);
  }
  return true;
}

void Driver::tick(std::uint64_t now_ms) {
  if (!in_flight_ || now_ms < flight_deadline_) return;
  client_.cancel(flight_tx_);
  in_flight_ = false;
  if (log_) log_->event("station", "timeout").kv("name", cfg_.name).kv("failures", fails_ + 1);
  // The rest of this cycle's requests would meet the same silence: drop them.
  const bool initialising = phase_ != Phase::Running;
  clear_queue();
  fail(now_ms, "timeout");
  if (initialising && !offline_) {  // start the init over on a fresh connection
    need_init_ = true;
    close_ = link_ != Link::Down;
  }
}

void Driver::fail(std::uint64_t now_ms, const char*) {
  ++fails_;
  if (!offline_ && fails_ >= static_cast<std::uint32_t>(kOfflineFailures))
    go_offline(now_ms);
  else if (offline_) {
    backoff_ms_ = backoff_ms_ * 2 > kRetryMaxMs ? kRetryMaxMs : backoff_ms_ * 2;
    retry_at_ = now_ms + backoff_ms_;
    close_ = link_ != Link::Down;
  }
}

void Driver::go_offline(std::uint64_t now_ms) {
  offline_ = true;
  have_reading_ = false;
  need_init_ = true;
  phase_ = Phase::Init;
  backoff_ms_ = kRetryFirstMs;
  retry_at_ = now_ms + backoff_ms_;
  close_ = link_ != Link::Down;
  clear_queue();
  if (log_)
    log_->event("station", "offline").kv("name", cfg_.name).kv("failures", fails_).kv("retry_s", backoff_ms_ / 1000);
}

void Driver::mismatch(const char* what, std::int32_t wrote, std::int32_t read, std::uint64_t) {
  init_ok_ = false;
  if (log_)
    log_->event("station", "readback_mismatch")
        .kv("name", cfg_.name)
        .kv("what", what)
        .kv("wrote", wrote)
        .kv("read", read);
}

void Driver::handle(const modbus::Response& r, std::uint64_t now_ms) {
  const Item it = flight_;
  in_flight_ = false;
  if (!r.ok()) {
    if (phase_ != Phase::Running) init_ok_ = false;
    if (log_)
      log_->event("station", "exception")
          .kv("name", cfg_.name)
          .kv("op", op_name(r.function))
          .kv("addr", r.address)
          .kv("code", static_cast<unsigned>(r.exception));
    fail(now_ms, "exception");
    return;
  }
  fails_ = 0;
  if (offline_ && phase_ == Phase::Running) offline_ = false;
  switch (it.op) {
    case Op::Poll: on_poll(it.arg, r, now_ms); break;
    case Op::WriteSetpoint:
      if (log_ && flight_value_ != written_a_)
        log_->event("station", "setpoint").kv("name", cfg_.name).kv("a", flight_value_);
      written_a_ = flight_value_;
      written_at_ = now_ms;
      break;
    case Op::ReadFallback:
      if (r.data_size >= 2 && r.reg(0) != cfg_.fallback_a) mismatch("fallback", cfg_.fallback_a, r.reg(0), now_ms);
      break;
    case Op::ReadTimeout: {
      if (r.data_size < 2) break;
      std::uint16_t regs[2] = {r.reg(0), r.data_size >= 4 ? r.reg(1) : std::uint16_t{0}};
      const std::int32_t want = cfg_.timeout_s * prof_.timeout_per_s;
      const std::int32_t got = words(prof_.timeout_format) == 2
                                   ? static_cast<std::int32_t>(get_u32(regs, prof_.timeout_format) & 0x7FFFFFFF)
                                   : regs[0];
      // A countdown reads what is left: anything in (0, written] is right.
      const bool ok = prof_.timeout_counts_down ? got > 0 && got <= want : got == want;
      if (!ok) mismatch("timeout", want, got, now_ms);
      break;
    }
    case Op::CheckVendor:
      if (prof_.check == Check::EcuDlmMode && r.data_size >= 2 && r.reg(0) != 1) {
        warned_ = true;
        if (log_)
          log_->event("station", "warning")
              .kv("name", cfg_.name)
              .kv("dlm_mode", r.reg(0))
              .kv("setting", "DLM Master (With internal DLM-Slave)");
      } else if (prof_.check == Check::AbbFirmware && r.data_size >= 4) {
        const unsigned major = r.reg(0) >> 8, minor = r.reg(0) & 0xFF, patch = r.reg(1) >> 8;
        const unsigned v = major * 10000 + minor * 100 + patch;
        if (v < 10605) {
          warned_ = true;
          if (log_)
            log_->event("station", "warning")
                .kv("name", cfg_.name)
                .kv("firmware", v)
                .kv("setting", "firmware >= 1.6.5 (TerraConfig update)");
        }
      }
      break;
    default: break;
  }
}

void Driver::on_poll(int block, const modbus::Response& r, std::uint64_t now_ms) {
  const Block& b = prof_.poll[block];
  if (r.data_size != 2u * b.count) return;  // the client checked the byte count; never trust twice
  std::uint16_t regs[kMaxPoll * 32] = {};
  const int n = b.count < kMaxPoll * 32 ? b.count : kMaxPoll * 32;
  for (int i = 0; i < n; ++i) regs[i] = r.reg(static_cast<std::size_t>(i));
  Reading rd;
  prof_.decode(prof_, block, regs, rd);
  have_reading_ = true;
  on_reading(rd, now_ms);
}

void Driver::on_reading(const Reading& rd, std::uint64_t now_ms) {
  for (int p = 0; p < lm::kPhases; ++p)
    if ((rd.currents >> p) & 1u) {
      cur_known_[p] = rd.current_ma[p] >= 0;
      cur_ma_[p] = rd.current_ma[p] >= 0 ? rd.current_ma[p] : 0;
    }
  if (rd.have_state) {
    lm::Iec s = rd.state;
    // ST-03: the ECU shows E for a few seconds regardless of the plug: hold the last state.
    if (s == lm::Iec::E) {
      if (raw_state_ != lm::Iec::E) e_since_ = now_ms;
      if (now_ms - e_since_ < kStateEHoldMs && state_ != lm::Iec::Unknown) s = state_;
    }
    raw_state_ = rd.state;
    if (s != state_) {
      if (log_) log_->event("station", "state").kv("name", cfg_.name).kv("iec", iec_name(s));
      // Unite (chargers.md §3.2): a 0 written while no car was connected became 6 A in the
      // station. A car is there now: write the set-point again at once, before its EV starts.
      const bool car = s == lm::Iec::B || s == lm::Iec::C || s == lm::Iec::D;
      const bool had_car = state_ == lm::Iec::B || state_ == lm::Iec::C || state_ == lm::Iec::D;
      if (prof_.zero_needs_car && car && !had_car && phase_ == Phase::Running && written_a_ == 0 &&
          !queued(Op::WriteSetpoint)) {
        written_a_ = -1;
        push(Op::WriteSetpoint);
      }
      if (s == lm::Iec::A) {
        session_mwh_ = 0;
        charged_this_session_ = false;
        rfid_hinted_ = false;
      }
      if (s == lm::Iec::B && state_ != lm::Iec::C && state_ != lm::Iec::D) b_since_ = now_ms;
      state_ = s;
    }
    if (s == lm::Iec::C || s == lm::Iec::D) charged_this_session_ = true;
  }
  // ABB: the read-backs ride on the poll. A station that rebooted shows its defaults (fall-back
  // 256/255, limit 32 A, timeout 60 s): initialise again before any increase (ST-13).
  if (phase_ == Phase::Running && !in_flight_) {
    const char* why = nullptr;
    if (rd.rb_fallback_a >= 0 && prof_.fallback_reg != kNoReg && rd.rb_fallback_a != cfg_.fallback_a)
      why = "fallback";
    else if (rd.rb_timeout_s >= 0 && prof_.timeout_reg != kNoReg && rd.rb_timeout_s != cfg_.timeout_s)
      why = "timeout";
    else if (rd.rb_setpoint_ma >= 0 && written_a_ >= 0 && !queued(Op::WriteSetpoint) &&
             rd.rb_setpoint_ma != written_a_ * 1000)
      why = "setpoint";
    if (why) {
      if (log_)
        log_->event("station", "reboot_detected")
            .kv("name", cfg_.name)
            .kv("readback", why)
            .kv("fallback", rd.rb_fallback_a)
            .kv("limit_ma", rd.rb_setpoint_ma);
      start_init(now_ms, "readback");
    }
  }
}

}  // namespace lmc::stations
