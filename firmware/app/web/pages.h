// The web UI's pages (UI-01..UI-06), compact static HTML + JS compiled into flash. Pages are
// shells: their script fetches /api/status and /api/settings from the same server, so no
// page is ever built in RAM.
#pragma once
#include <string_view>

namespace lmc::web {

extern const std::string_view kLoginPage;        // GET /
extern const std::string_view kLoginWrongPage;   // 401 after wrong credentials
extern const std::string_view kLoginLockedPage;  // 429 during the lock-out
extern const std::string_view kStatusPage;       // /status (UI-03)
extern const std::string_view kLmPage;           // /lm (UI-05)
extern const std::string_view kDevicePage;       // /device (UI-06)
extern const std::string_view kNetworkPage;      // /net (UI-04 without the scan)

}  // namespace lmc::web
