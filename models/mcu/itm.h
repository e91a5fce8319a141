// Instrumentation Trace Macrocell at 0xE0000000 (ARMv7-M C1.7): firmware that prints through
// ITM stimulus port 0 (SWO printf) finds a ready port; the characters of enabled ports go to
// the run log (source `device.itm`), one line per newline.
#pragma once
#include <string>

#include "models/mcu/peripheral.h"
#include "sim/site.h"

namespace lmsim::mcu {

class Itm : public Peripheral {
 public:
  static constexpr std::uint32_t kBase = 0xE0000000, kSize = 0x1000;
  Itm(sc_core::sc_module_name name, Site& site);
  void reset(ResetCause cause) override;

 private:
  Site& site_;
  std::string line_;
};

}  // namespace lmsim::mcu
