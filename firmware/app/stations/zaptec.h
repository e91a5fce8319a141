// Zaptec Pro / Home through the Zaptec cloud API (behaviours.md ST-06, LM-13, CL-10, A34;
// chargers.md §5; the simulated cloud: docs/stations.md, docs/network.md). No local Modbus: the
// controller is an HTTP/1.1 client of api.zaptec.com (port 443, plain HTTP inside the
// simulation: the documented TLS deviation) on its own socket (app/socket_plan.h kZaptec), with
// the firmware's codecs (app/http: MessageWriter, ResponseParser, JSON). No heap, no blocking.
//
// Exchange, one request at a time on one keep-alive connection:
//   POST /oauth/token (password grant, form) -> Bearer token; a 401 later -> a new token.
//   GET  /api/chargers -> Id, Name, InstallationId: the settings' station name finds its charger.
//   GET  /api/installation/{id} -> the AvailableCurrentPhase1..3 in force before our first update.
//   GET  /api/chargers/{id}/state every 15 s (the cloud caches it 15 s): 710 operation mode
//        (1 disconnected -> A, 2/5 connected -> B, 3 charging -> C), 507-509 currents (A),
//        523 offline current.
//   POST /api/installation/{id}/update {AvailableCurrentPhase1..3}: the load management's
//        desired allocation (the sum of the installation's Zaptec stations per grid phase), at
//        most once per 15 min (§5). A decrease that protects the fuse (the allocator's
//        slow-over-budget event, 3 cycles in a row) may come earlier (A34), logged; when the
//        cloud refuses it (429) each charger's maxChargeCurrent is lowered instead (POST
//        /api/chargers/{id}/update), and raised again with the next installation update.
// The allocation in force is fed back to the load management (Driver::set_slow_alloc_ma), which
// reserves it (LM-13). While the cloud is out of reach the chargers fall back to their offline
// current (state 523; unknown: the station's fallback_current setting, which the installer copies
// from the Zaptec portal, ST-08): the reservation is then max(allocation, offline current)
// (CL-10). Before the installation was ever read the reservation is the station's max current.
// Errors (401, 429 with Retry-After, 5xx, 4xx, time-outs, refused connections, DNS) are logged
// once per change: `lmc: zaptec error what=... status=...`, `lmc: zaptec ok was=...` when it recovers.
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/core/log.h"
#include "app/http/json.h"
#include "app/http/response_parser.h"
#include "app/lm/allocator.h"
#include "app/net/resolver.h"
#include "app/ports.h"
#include "app/stations/driver.h"

namespace lmc::stations {

class Zaptec {
 public:
  static constexpr const char* kHost = "api.zaptec.com";
  static constexpr std::uint16_t kPort = 443;
  static constexpr int kMaxChargers = 8;
  static constexpr int kMaxInstallations = 4;
  static constexpr std::size_t kIdLen = 48;
  static constexpr std::uint32_t kStatePollMs = 15000;                // §5: state cached 15 s
  static constexpr std::uint32_t kUpdateMinMs = 15u * 60u * 1000u;    // §5: <= 1 update / 15 min
  static constexpr std::uint32_t kListRefreshMs = 30u * 60u * 1000u;  // §5: /api/chargers <= 30/min
  static constexpr std::uint32_t kResponseTimeoutMs = 10000;
  static constexpr std::uint32_t kConnectTimeoutMs = 5000;
  static constexpr std::uint32_t kRetryFirstMs = 5000, kRetryMaxMs = 300000;
  static constexpr std::uint32_t kRetryAfterMaxS = 3600;
  static constexpr int kProtectCycles = 3;  // over budget this many cycles in a row: decrease now

  // socket: the socket this client owns; dns: the device's resolver.
  void configure(Sockets& so, int socket, net::Resolver& dns, Log* log);
  // The Zaptec account (OAuth password grant). Empty: nothing is sent (logged once).
  void set_account(const char* user, const char* password);

  // Call after each allocation with its output (for the slow-over-budget events and the phase
  // masks), and on loop passes with out = nullptr to move bytes. drivers: the site's drivers;
  // only those with a cloud profile are served.
  void service(Driver* drivers, int count, const lm::Output* out, std::uint64_t now_ms);

  // ---- state for tests, UI and logs ----
  bool reachable() const { return reachable_; }
  bool authorised() const { return token_[0] != 0; }
  std::uint32_t requests() const { return requests_; }
  std::uint32_t installation_updates() const { return inst_updates_; }
  // The installation allocation in force (mA per grid phase) of installation k, -1 unknown.
  std::int32_t in_force_ma(int k, int phase) const;

 private:
  enum class Req : std::uint8_t { None, Token, List, Installation, InstUpdate, ChargerCap, State };
  enum class Conn : std::uint8_t { Down, Resolving, Connecting, Up };
  struct Charger {
    char id[kIdLen] = {};
    char name[25] = {};
    int inst = -1;
    int drv = -1;  // driver index, -1 = no station of that name
    std::uint64_t state_at = 0;
    bool have_state = false;
    std::int32_t offline_ma = -1;  // state 523
    std::int32_t cap_ma = -1;      // maxChargeCurrent we set (fuse protection), -1 = none
    std::int32_t want_cap_ma = -1;
  };
  struct Installation {
    char id[kIdLen] = {};
    bool read = false;
    std::int32_t avail_ma[lm::kPhases] = {-1, -1, -1};
    bool updated = false;  // an update of ours is in force
    std::uint64_t updated_at = 0;
    std::uint64_t hold_until = 0;  // 429 Retry-After
    std::int32_t sending_ma[lm::kPhases] = {0, 0, 0};
    bool protect = false;  // a fuse-protection decrease is due
    int over_cycles = 0;   // consecutive cycles with a slow-over-budget event
  };

  void connection(std::uint64_t now_ms);
  void drop(std::uint64_t now_ms, const char* what, int status);
  void backoff(std::uint64_t now_ms);
  void map_drivers(Driver* drivers, int count);
  void plan(const lm::Output* out);
  bool send_next(Driver* drivers, int count, std::uint64_t now_ms);
  bool send(Req r, int arg, const char* method, const char* target, const char* body, std::size_t body_len,
            std::uint64_t now_ms);
  void receive(Driver* drivers, int count, std::uint64_t now_ms);
  void on_response(Driver* drivers, int count, const http::Response& r, std::uint64_t now_ms);
  void on_token(const json::Value& root);
  void on_list(const json::Value& root, std::uint64_t now_ms);
  void on_installation(int k, const json::Value& root);
  void on_state(Driver* drivers, int count, int c, const json::Value& root, std::uint64_t now_ms);
  void feed_back(Driver* drivers, int count);
  void error(const char* what, int status, std::uint64_t now_ms);
  void ok();
  int installation_index(const char* id);

  Sockets* so_ = nullptr;
  int sock_ = -1;
  net::Resolver* dns_ = nullptr;
  Log* log_ = nullptr;
  char user_[65] = {};
  char password_[65] = {};
  bool no_account_logged_ = false;

  Conn conn_ = Conn::Down;
  Endpoint peer_{};
  std::uint64_t conn_since_ = 0;
  std::uint64_t retry_at_ = 0;
  std::uint32_t backoff_ms_ = kRetryFirstMs;
  bool reachable_ = false;
  bool ever_reached_ = false;

  char token_[128] = {};
  bool listed_ = false;
  std::uint64_t listed_at_ = 0;
  Charger ch_[kMaxChargers];
  int n_ch_ = 0;
  Installation inst_[kMaxInstallations];
  int n_inst_ = 0;
  bool any_cloud_ = false;
  std::uint64_t alloc_at_ = 0;  // the last allocation (cycle) seen

  Req flight_ = Req::None;
  int flight_arg_ = -1;
  std::uint64_t flight_deadline_ = 0;
  http::Method flight_method_ = http::Method::kGet;
  std::uint64_t hold_all_until_ = 0;  // 429 on anything but an installation update

  char tx_[1024];
  std::size_t tx_len_ = 0, tx_sent_ = 0;
  char rx_store_[6144];
  http::ResponseParser parser_{rx_store_, sizeof rx_store_, http::Limits{1024, 32, 1024, 5120}};
  json::StaticDocument<200> doc_;

  const char* err_what_ = "";
  int err_status_ = 0;
  std::uint32_t requests_ = 0;
  std::uint32_t inst_updates_ = 0;
};

}  // namespace lmc::stations
