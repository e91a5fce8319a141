// A Zaptec cloud for the driver tests, written from shared/reference/chargers.md §5 (paths, state
// observation ids, the 15-min installation-update rule, 429 on excess) and docs/stations.md (the
// simulated cloud's answers: OAuth password grant with a form body, 401 without a valid Bearer
// token). Independent of the firmware's codecs: it splits HTTP/1.1 requests by hand and uses
// nlohmann::json. Faults are knobs.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lmc::test {

class FakeZaptec {
 public:
  struct Charger {
    std::string id, name, installation;
    int mode = 1;                     // 710: 1 disconnected, 2 connected, 3 charging, 5 paused
    double current_a[3] = {0, 0, 0};  // 507..509
    double offline_a = -1;            // 523 (absent when < 0)
    double max_charge_current = 32;   // set by POST /api/chargers/{id}/update
  };
  struct Installation {
    double max_current = 40;
    double available[3] = {-1, -1, -1};  // -1: no override
    bool updated = false;
    std::uint64_t last_update_ms = 0;
  };
  struct Call {
    std::uint64_t t_ms;
    std::string method, path, body;
    int status;
  };

  FakeZaptec();
  // Feeds bytes the device sent; returns the bytes of every complete answer.
  std::string feed(const std::string& bytes, std::uint64_t t_ms);

  std::string user = "installer@example.com", password = "zaptec";
  std::vector<Charger> chargers;
  std::map<std::string, Installation> installations;
  std::vector<Call> calls;
  std::map<std::string, bool> tokens;  // issued, valid

  // Faults.
  bool silent = false;    // never answer
  int fail_status = 0;    // answer everything (but the token) with this status
  int retry_after_s = 0;  // with fail_status 429: the Retry-After header
  bool close_after_reply = false;
  bool bad_token = false;  // 200 to the token request, but access_token is not a string

  int count(const std::string& method, const std::string& path_part) const;
  void revoke_tokens() {
    for (auto& [k, v] : tokens) v = false;
  }

 private:
  std::string handle(const std::string& method, const std::string& path,
                     const std::map<std::string, std::string>& headers, const std::string& body, std::uint64_t t_ms,
                     int& status);
  std::string buf_;
  int next_token_ = 0;
};

}  // namespace lmc::test
