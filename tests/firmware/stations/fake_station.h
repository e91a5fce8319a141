// A Modbus TCP station for the driver tests, written from shared/reference/chargers.md (section
// cited per vendor in fake_station.cpp) and the Modbus Application Protocol v1.1b3, independent of
// the firmware's own codec: it parses requests and builds replies byte by byte. Faults are knobs:
// silence, an exception code, garbage, a reply of the wrong length, a reboot.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace lmc::test {

class FakeStation {
 public:
  enum class Vendor { Abb, Ecu, Tq, Weidmueller, Generic, Next, Unite };
  static FakeStation abb();
  static FakeStation ecu();
  static FakeStation tq();
  static FakeStation weidmueller();
  static FakeStation generic();
  static FakeStation next();
  static FakeStation unite();

  // One request ADU in, the reply ADU out ("" = silence). t_ms feeds the watchdog bookkeeping.
  std::string handle(const std::string& adu, std::uint64_t t_ms);

  // Vehicle side: IEC state letter and per-phase currents in mA.
  void set_ev(char iec, std::uint32_t l1_ma, std::uint32_t l2_ma, std::uint32_t l3_ma);
  // A restart: volatile registers back to their power-on values; ABB shows its reboot quirk
  // (chargers.md §1.4: fall-back reads 256, limit 32 A).
  void reboot();

  std::uint16_t reg(std::uint16_t a) const { return holding.count(a) ? holding.at(a) : 0; }
  std::uint32_t setpoint_a() const;  // the set-point as the station understood it (A)

  Vendor vendor = Vendor::Generic;
  std::uint8_t unit = 1;
  bool any_unit = false;
  std::set<int> functions;
  std::map<std::uint16_t, std::uint16_t> holding, input;
  std::set<std::uint16_t> writable, write_only;
  std::set<std::uint16_t> fc16_only;  // registers that refuse FC 6 (ABB 0x4100)

  // Faults.
  bool silent = false;
  int exception = 0;          // answer every request with this exception code
  bool garbage = false;       // answer with bytes that are not a Modbus frame
  bool wrong_length = false;  // read replies one register short (byte count and MBAP agree)

  // Observations.
  struct Write {
    std::uint64_t t_ms;
    std::uint16_t addr;
    std::vector<std::uint16_t> values;
  };
  std::vector<Write> writes;
  std::vector<std::uint64_t> reads;                       // times of read requests
  std::vector<std::uint16_t> input_reads, holding_reads;  // start addresses read by FC 4 / FC 3
  int requests = 0;
  std::vector<std::uint32_t> setpoints_a;  // every set-point written, in A
  std::uint32_t unite_offer_a = 32;        // Unite: the limit the box applies (§3.2 quirk)
  int writes_to(std::uint16_t addr) const;
};

}  // namespace lmc::test
