// One charging station over Modbus TCP (behaviours.md ST-01..ST-05, ST-09..ST-14, LM-04, PWR-04,
// SAFE-02, SAFE-05): the vendor Profile drives one protocol engine. The driver owns no socket:
// the connection pool (pool.h) connects it and moves the bytes; the driver decides what to send,
// checks every reply and keeps the station's state. No heap, no blocking; times are monotonic ms.
//
// Life of a connection: connect -> initialise (fall-back current and timeout written and read
// back, vendor set-up checks: ST-09, ST-03, ST-02) -> running (every control cycle: the poll of
// state and per-phase currents, ST-14; the set-point when it changed or every 60 s; heartbeats
// per vendor; the ST-09 write + read-back again every 10 min). A lost connection (not closed by
// the pool), a read-back mismatch (ABB reboot quirk: fall-back 256, limit 32 A) or an offline
// period sends the driver back to initialisation before any new set-point (ST-13, PWR-04).
// Failures (3 s request timeout, exception reply, garbage, refused connect) are counted; 3 in a
// row make the station offline (ST-11): retries after 10 s, doubling to 60 s.
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/core/log.h"
#include "app/modbus/client.h"
#include "app/stations/profile.h"

namespace lmc::stations {

struct DriverConfig {
  const char* name = "";        // for the log (the settings' station name)
  std::int32_t fallback_a = 6;  // CFG-08 / A21
  std::int32_t timeout_s = 90;  // CFG-08 / A21
  std::int32_t min_a = 6;       // LM-04: never 0 < I < min
  std::int32_t max_a = 32;
};

class Driver {
 public:
  static constexpr std::uint32_t kRequestTimeoutMs = 3000;       // ST-11 / A12
  static constexpr int kOfflineFailures = 3;                     // ST-11
  static constexpr std::uint32_t kRetryFirstMs = 10000;          // ST-11: 10 s ...
  static constexpr std::uint32_t kRetryMaxMs = 60000;            // ... backing off to 60 s
  static constexpr std::uint32_t kVerifyMs = 10u * 60u * 1000u;  // ST-09: read-back every 10 min
  static constexpr std::uint32_t kRefreshMs = 60000;             // set-point rewritten at least this often
  static constexpr std::uint32_t kStateEHoldMs = 5000;           // ST-03: a brief E is ignored
  static constexpr std::uint32_t kRfidHintMs = 120000;           // ST-05: B this long without charging
  static constexpr std::uint32_t kRampHoldMs = 10000;            // PWR-04 / LM-03: one increase interval
  static constexpr int kQueue = 16;
  static constexpr int kErrRefused = 1, kErrNoLink = 4, kErrNoNetwork = 11;  // Sockets::Error values
  static constexpr std::uint32_t kRetryRefusedMs = 5000;

  enum class Phase : std::uint8_t { Init, Running };
  enum class Link : std::uint8_t { Down, Connecting, Up };

  void configure(const Profile& p, const DriverConfig& c, Log* log);
  bool configured() const { return configured_; }
  const Profile& profile() const { return prof_; }
  const char* name() const { return cfg_.name; }
  const DriverConfig& config() const { return cfg_; }

  // ---- control cycle (1 s) ----
  // The load-management set-point for this station, mA (0 = pause).
  void set_setpoint(std::int32_t ma) { target_ma_ = ma; }
  // Queues this cycle's requests (poll, set-point, heartbeat, periodic read-back).
  void cycle(std::uint64_t now_ms);

  // ---- connection (driven by the pool) ----
  // True when the driver needs a connection now: it has work or keeps a persistent one, and is
  // not waiting out a retry back-off.
  bool wants_connection(std::uint64_t now_ms, bool persistent) const;
  void on_connecting(std::uint64_t now_ms);
  void on_connected(std::uint64_t now_ms);
  void on_connect_failed(std::uint64_t now_ms, int error);
  // by_pool: the pool closed a per-cycle connection on purpose (no re-initialisation).
  void on_closed(std::uint64_t now_ms, bool by_pool);
  // The next request ADU to send (one at a time), 0 when none is due.
  std::size_t next_request(std::uint8_t* out, std::size_t cap, std::uint64_t now_ms);
  // Bytes from the station. False: not Modbus or not an answer to our request: close.
  bool on_rx(const std::uint8_t* data, std::size_t n, std::uint64_t now_ms);
  // Request timeouts. Call at least once per second.
  void tick(std::uint64_t now_ms);
  // The driver wants its connection closed (garbage, offline).
  bool wants_close() const { return close_; }
  // Requests queued or in flight.
  bool busy() const { return n_q_ > 0 || in_flight_; }
  Link link() const { return link_; }

  // ---- cloud stations (Profile::cloud, Zaptec): no Modbus; zaptec.h feeds them ----
  bool cloud() const { return prof_.cloud; }
  // What the load management asks for (mA): for a slow actuator its desired allocation.
  std::int32_t target_ma() const { return target_ma_; }
  // The charger's state and currents (mA, -1 = not reported) as the cloud last saw them.
  void cloud_reading(lm::Iec state, const std::int32_t* current_ma, std::uint64_t now_ms);
  // LM-13 / A34: the allocation in force (mA) that the load management reserves for it.
  void set_slow_alloc_ma(std::int32_t ma) { slow_alloc_ma_ = ma; }
  std::int32_t slow_alloc_ma() const { return slow_alloc_ma_; }

  // ---- results ----
  // Initialised and answering: its readings are current and its set-points are obeyed (LM).
  // A cloud station is always "online" for the load management: while its cloud is out of
  // reach the client reserves its offline current through slow_alloc_ma() (CL-10).
  bool online() const { return prof_.cloud || (!offline_ && phase_ == Phase::Running && have_reading_); }
  bool offline() const { return offline_; }
  Phase phase() const { return phase_; }
  lm::Iec state() const { return state_; }
  // Per-phase currents (station L1..L3), mA; an unknown phase reads the commanded current.
  std::int32_t current_ma(int p) const;
  std::uint32_t session_wh() const { return static_cast<std::uint32_t>(session_mwh_ / 1000); }
  // What the station was last told (A), -1 before the first write.
  std::int32_t written_a() const { return written_a_; }
  std::uint32_t failures() const { return fails_; }
  std::uint32_t inits() const { return inits_; }
  std::uint32_t requests() const { return requests_; }
  bool warned() const { return warned_; }

 private:
  enum class Op : std::uint8_t {
    Poll,
    WriteSetpoint,
    WriteFallback,
    WriteTimeout,
    ReadFallback,
    ReadTimeout,
    Heartbeat,
    CheckVendor,
    InitDone,  // marker: the init sequence above it has been answered
  };
  struct Item {
    Op op;
    std::uint8_t arg;
  };

  void push(Op op, std::uint8_t arg = 0);
  bool queued(Op op) const;
  void clear_queue();
  void start_init(std::uint64_t now_ms, const char* why);
  void fail(std::uint64_t now_ms, const char* what);
  void go_offline(std::uint64_t now_ms);
  void handle(const modbus::Response& r, std::uint64_t now_ms);
  void on_poll(int block, const modbus::Response& r, std::uint64_t now_ms);
  void on_reading(const Reading& rd, std::uint64_t now_ms);
  std::int32_t command_a(std::uint64_t now_ms);
  void mismatch(const char* what, std::int32_t wrote, std::int32_t read, std::uint64_t now_ms);
  std::uint32_t heartbeat_period_ms() const;

  Profile prof_{};
  DriverConfig cfg_{};
  Log* log_ = nullptr;
  bool configured_ = false;
  modbus::Client client_{};

  Item q_[kQueue]{};
  int q_head_ = 0;
  int n_q_ = 0;
  bool in_flight_ = false;
  Item flight_{};
  std::uint16_t flight_tx_ = 0;
  std::uint64_t flight_deadline_ = 0;
  std::uint16_t flight_value_ = 0;  // the set-point (A) carried by an in-flight write

  Link link_ = Link::Down;
  Phase phase_ = Phase::Init;
  bool close_ = false;
  bool offline_ = false;
  bool need_init_ = true;
  bool init_ok_ = true;  // this init's read-backs matched
  int init_attempts_ = 0;
  std::uint32_t fails_ = 0;
  std::uint64_t retry_at_ = 0;
  std::uint32_t backoff_ms_ = kRetryFirstMs;

  std::int32_t target_ma_ = 0;
  std::int32_t logged_target_ma_ = 0;
  std::int32_t written_a_ = -1;
  bool capped_after_init_ = false;  // PWR-04: commands <= fall-back for kRampHoldMs after init
  std::uint64_t ready_at_ = 0;
  std::uint64_t written_at_ = 0;
  std::uint64_t verified_at_ = 0;
  std::uint64_t heartbeat_at_ = 0;
  std::uint64_t last_cycle_ms_ = 0;

  bool have_reading_ = false;
  lm::Iec state_ = lm::Iec::Unknown;
  lm::Iec raw_state_ = lm::Iec::Unknown;
  std::uint64_t e_since_ = 0;
  std::int32_t cur_ma_[lm::kPhases] = {0, 0, 0};
  bool cur_known_[lm::kPhases] = {false, false, false};
  std::uint64_t session_mwh_ = 0;
  std::uint64_t b_since_ = 0;  // ST-05 hint: in B since, without charging this session
  bool charged_this_session_ = false;
  bool rfid_hinted_ = false;
  bool warned_ = false;
  std::int32_t slow_alloc_ma_ = 0;

  std::uint32_t inits_ = 0;
  std::uint32_t requests_ = 0;
};

}  // namespace lmc::stations
