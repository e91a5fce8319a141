#include "app/api/api.h"

namespace lmc::api {

Api::Api(const Time& time, Log& log, Sockets& sockets, settings::Settings& s, store::ConfigStore* store,
         site::Site& site, const char* serial, const Link* link)
    : clock_(time),
      site_(site),
      auth_(serial),
      control_(site.external(), s, store, log),
      modbus_(sockets, log, *this, control_, s, clock_),
      rest_(sockets, log, *this, control_, s, time, auth_, &site, http_),
      view_{*this, control_, time, &site, serial, link, &s},
      web_(sockets, log, view_, s, store, auth_, http_) {}

void Api::start(Loop& loop) {
  control_.boot(clock_.now_ms());
  loop.add_poller("api", Callback::of<&Api::poll>(this));
}

void Api::poll() {
  const std::uint64_t now = clock_.now_ms();
  modbus_.update(now);
  rest_.update(now);
  web_.update(now);
}

}  // namespace lmc::api
