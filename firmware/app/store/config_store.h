// The power-loss-safe config store (FW-02, PWR-03, A22): two slots in the flash config area,
// each a record with a sequence number and CRC-32s. A save writes the slot that does not hold
// the newest record, header last; a boot loads the valid record with the highest sequence.
// A supply cut therefore leaves exactly the old or the new config, never defaults, never a
// mix. Layout and record format: docs/firmware.md "Configuration and flash layout".
#pragma once
#include <cstddef>
#include <cstdint>

#include "app/ports.h"
#include "app/settings/settings.h"
#include "app/store/layout.h"

namespace lmc::store {

class ConfigStore {
 public:
  enum class Load : std::uint8_t {
    Loaded,   // a valid record was loaded (entries it could not use were reported)
    Empty,    // both slots erased: a factory-fresh device, defaults
    Corrupt,  // no valid record but something is in flash: defaults, reported
  };
  enum class Save : std::uint8_t { Ok, TooLarge, FlashError, VerifyFailed };

  explicit ConfigStore(Flash& flash, const Layout& layout = kLayout) : flash_(flash), layout_(layout) {}

  // Reads both slots, loads the newest valid one into s (s is reset to defaults first).
  // Problems (torn or foreign record, unknown key, value the schema refuses) go to rep.
  Load load(settings::Settings& s, settings::Reporter* rep);
  // Writes s (persisted settings only) as the next record. On any failure the previous
  // record stays the valid one.
  Save save(const settings::Settings& s, settings::Reporter* rep = nullptr);

  std::uint32_t sequence() const { return seq_; }  // of the newest valid record (0: none)
  int active_slot() const { return active_; }      // 0/1, -1 none
  std::uint32_t saves() const { return saves_; }

  // Encodes / decodes the record payload (exposed for tests and fuzzing).
  // False when the record does not fit in cap bytes.
  static bool encode(const settings::Settings& s, std::uint8_t* buf, std::size_t cap, std::size_t* n);
  static void decode(const std::uint8_t* buf, std::size_t n, settings::Settings& s, settings::Reporter* rep);

 private:
  bool read_slot(int slot, std::uint32_t* seq, std::uint32_t* len, settings::Reporter* rep, bool report);

  Flash& flash_;
  Layout layout_;
  std::uint32_t seq_ = 0;
  int active_ = -1;
  std::uint32_t saves_ = 0;
};

}  // namespace lmc::store
