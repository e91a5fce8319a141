// What the controller needs from the configuration, behind a small interface so that the
// wiring does not depend on how settings are stored (app/settings + app/store implement it).
#pragma once
#include <cstdint>

namespace lmc {

class ConfigView {
 public:
  // Loads the configuration at boot (store, provisioning); problems are logged by it.
  virtual void load() = 0;
  // CFG-01: without a main fuse rating the device manages nothing.
  virtual bool fuse_configured() const = 0;
  virtual std::uint32_t fuse_da() const = 0;  // the rating in 0.1 A (0: unset)
  virtual bool wifi_configured() const = 0;
  // BTN-04: erases only the stored Wi-Fi (and saves).
  virtual void erase_wifi() = 0;
  // Incremented by every change (CFG-12): a task re-reads what it uses when it moves.
  virtual std::uint32_t generation() const = 0;

 protected:
  ~ConfigView() = default;
};

}  // namespace lmc
