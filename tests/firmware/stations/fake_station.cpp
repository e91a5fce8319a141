#include "stations/fake_station.h"

namespace lmc::test {
namespace {

std::uint16_t be16(const std::string& s, std::size_t i) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(s[i]) << 8) | static_cast<std::uint8_t>(s[i + 1]));
}
void put16(std::string& s, std::uint16_t v) {
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v & 0xFF));
}
void hi_lo(std::map<std::uint16_t, std::uint16_t>& m, std::uint16_t a, std::uint32_t v) {
  m[a] = static_cast<std::uint16_t>(v >> 16);
  m[a + 1] = static_cast<std::uint16_t>(v & 0xFFFF);
}
void lo_hi(std::map<std::uint16_t, std::uint16_t>& m, std::uint16_t a, std::uint32_t v) {
  m[a] = static_cast<std::uint16_t>(v & 0xFFFF);
  m[a + 1] = static_cast<std::uint16_t>(v >> 16);
}

}  // namespace

// chargers.md §1.2: holding 0x4000.. (u32 hi-word first), writes at 0x4100 (mA, FC 16 only),
// 0x4106 (timeout s, default 60), 0x4109 (fall-back A, default 0xFF); read-backs 0x4020/22/24.
FakeStation FakeStation::abb() {
  FakeStation s;
  s.vendor = Vendor::Abb;
  s.unit = 1;
  s.functions = {3, 6, 16};
  for (std::uint16_t a = 0x4000; a <= 0x4025; ++a) s.holding[a] = 0;
  s.holding[0x4004] = 0x0108;  // firmware 1.8.0 (§1.2 encoding 01 08 00 00)
  s.holding[0x4005] = 0x0000;
  hi_lo(s.holding, 0x4006, 32000);
  s.holding[0x4020] = 60;
  hi_lo(s.holding, 0x4022, 32000);
  s.holding[0x4024] = 0xFF;
  for (std::uint16_t a : {0x4100, 0x4101, 0x4103, 0x4105, 0x4106, 0x4109}) {
    s.holding[a] = 0;
    s.writable.insert(a);
    s.write_only.insert(a);
  }
  s.fc16_only = {0x4100, 0x4101};
  return s;
}

// chargers.md §2.1: holding; 122 CP state A=1..E=5; 131 SAFE_CURRENT, 132 COMM_TIMEOUT; 212..217
// currents u32 hi-word first mA; 600 DLM_MODE (1 = master with internal slave); 1000 HEMS limit.
FakeStation FakeStation::ecu() {
  FakeStation s;
  s.vendor = Vendor::Ecu;
  s.any_unit = true;
  s.functions = {3, 6, 16};
  s.holding[104] = 0;
  s.holding[122] = 1;
  s.holding[131] = 0;
  s.holding[132] = 0;
  for (std::uint16_t a = 212; a <= 217; ++a) s.holding[a] = 0;
  s.holding[600] = 1;
  s.holding[1000] = 32;
  s.writable = {131, 132, 1000};
  return s;
}

// chargers.md §3 / §3.1 (TQ-DM100): 1000 state, 1008/1010/1012 u16 mA (non-contiguous), 2000
// safeCurrent A, 2002 comTimeout s, 5004 current A, 6000 life bit. Unit 255.
FakeStation FakeStation::tq() {
  FakeStation s;
  s.vendor = Vendor::Tq;
  s.unit = 255;
  s.functions = {3, 4, 6, 16};
  s.holding[1000] = 0;
  s.holding[1008] = s.holding[1010] = s.holding[1012] = 0;
  s.holding[2000] = 6;
  s.holding[2002] = 20;
  s.holding[5004] = 32;
  s.holding[6000] = 0;
  s.writable = {2000, 2002, 5004, 6000};
  return s;
}

// chargers.md §4: 301 car state ASCII in the low byte; 406..411 currents u32 LSW first (mA);
// 702 non-volatile user limit; 11050 LCM timeout u32 ms LSW first; 11052 limit; 11054 fall-back.
FakeStation FakeStation::weidmueller() {
  FakeStation s;
  s.vendor = Vendor::Weidmueller;
  s.unit = 255;
  s.functions = {3, 6, 16};
  s.holding[301] = 'A';
  for (std::uint16_t a = 406; a <= 411; ++a) s.holding[a] = 0;
  s.holding[702] = 16;
  s.holding[11050] = s.holding[11051] = 0;
  s.holding[11052] = 0;
  s.holding[11054] = 0;
  s.writable = {702, 11050, 11051, 11052, 11054};
  return s;
}

// The simulated generic station of docs/stations.md: 0 state (1 = A .. 6 = F), 1 set-point A,
// 2 fall-back A, 3 timeout s, 4..6 currents in 0.1 A.
FakeStation FakeStation::generic() {
  FakeStation s;
  s.vendor = Vendor::Generic;
  s.unit = 1;
  s.functions = {3, 6, 16};
  for (std::uint16_t a = 0; a <= 6; ++a) s.holding[a] = 0;
  s.holding[0] = 1;
  s.writable = {1, 2, 3};
  return s;
}

// chargers.md §3.1 (Webasto NEXT, WN-DOC rev 3.00): holding 1000 state (0 no vehicle, 1 attached,
// 3 charging, 4 paused, 7 error), 1008/1010/1012 u16 mA, 2000 safeCurrent, 2002 comTimeout, 5004
// charge current (A), 6000 life bit. Unit 255; FC 3, 4, 6, 16.
FakeStation FakeStation::next() {
  FakeStation s = tq();
  s.vendor = Vendor::Next;
  return s;
}

// chargers.md §3.2 (Vestel EVC04 = Webasto Unite): telemetry in INPUT registers (IR 1000 state 0
// Available .. 8 Faulted, IR 1008/1010/1012 mA); control in holding registers HR 2000 failsafe
// current, HR 2002 failsafe timeout (vendor default 20 s), HR 5004 current, HR 6000 alive.
// Quirks: 5004 reads back 6 after 0 was written; 0 written while no car is connected -> 6 A.
FakeStation FakeStation::unite() {
  FakeStation s;
  s.vendor = Vendor::Unite;
  s.unit = 255;
  s.functions = {3, 4, 6, 16};
  s.input[1000] = 0;
  s.input[1008] = s.input[1010] = s.input[1012] = 0;
  s.holding[2000] = 6;
  s.holding[2002] = 20;
  s.holding[5004] = 32;
  s.holding[6000] = 0;
  s.writable = {2000, 2002, 5004, 6000};
  return s;
}

void FakeStation::set_ev(char iec, std::uint32_t l1, std::uint32_t l2, std::uint32_t l3) {
  const std::uint32_t c[3] = {l1, l2, l3};
  switch (vendor) {
    case Vendor::Abb: {
      const int code = iec == 'A' ? 0 : iec == 'B' ? 2 : iec == 'C' ? 4 : 5;  // §1.3
      holding[0x400D] = static_cast<std::uint16_t>(code << 8);
      for (int p = 0; p < 3; ++p) hi_lo(holding, static_cast<std::uint16_t>(0x4010 + 2 * p), c[p]);
      break;
    }
    case Vendor::Ecu:
      holding[122] = static_cast<std::uint16_t>(iec - 'A' + 1);
      for (int p = 0; p < 3; ++p) hi_lo(holding, static_cast<std::uint16_t>(212 + 2 * p), c[p]);
      break;
    case Vendor::Unite:
      input[1000] = iec == 'A' ? 0 : iec == 'C' ? 2 : iec == 'F' ? 8 : 1;  // §3.2: Available/Charging/Faulted/Preparing
      for (int p = 0; p < 3; ++p) input[static_cast<std::uint16_t>(1008 + 2 * p)] = static_cast<std::uint16_t>(c[p]);
      break;
    case Vendor::Next:
    case Vendor::Tq:
      holding[1000] = iec == 'A' ? 0 : iec == 'C' ? 3 : iec == 'F' ? 7 : 1;
      for (int p = 0; p < 3; ++p) holding[static_cast<std::uint16_t>(1008 + 2 * p)] = static_cast<std::uint16_t>(c[p]);
      break;
    case Vendor::Weidmueller:
      holding[301] = static_cast<std::uint16_t>(iec);
      for (int p = 0; p < 3; ++p) lo_hi(holding, static_cast<std::uint16_t>(406 + 2 * p), c[p]);
      break;
    case Vendor::Generic:
      holding[0] = static_cast<std::uint16_t>(iec - 'A' + 1);
      for (int p = 0; p < 3; ++p) holding[static_cast<std::uint16_t>(4 + p)] = static_cast<std::uint16_t>(c[p] / 100);
      break;
  }
}

void FakeStation::reboot() {
  switch (vendor) {
    case Vendor::Abb:
      holding[0x4024] = 256;  // §1.4 reboot quirk
      hi_lo(holding, 0x4022, 32000);
      holding[0x4020] = 60;
      break;
    case Vendor::Ecu: holding[1000] = 32; break;
    case Vendor::Next:
    case Vendor::Tq: holding[5004] = 32; break;
    case Vendor::Unite:
      holding[5004] = 32;
      unite_offer_a = 32;
      break;
    case Vendor::Weidmueller: holding[11052] = 0; break;
    case Vendor::Generic: holding[1] = 16; break;
  }
}

std::uint32_t FakeStation::setpoint_a() const {
  switch (vendor) {
    case Vendor::Abb: return ((static_cast<std::uint32_t>(reg(0x4100)) << 16) | reg(0x4101)) / 1000;
    case Vendor::Ecu: return reg(1000);
    case Vendor::Next:
    case Vendor::Tq: return reg(5004);
    case Vendor::Unite: return unite_offer_a;
    case Vendor::Weidmueller: return reg(11052);
    case Vendor::Generic: return reg(1);
  }
  return 0;
}

int FakeStation::writes_to(std::uint16_t addr) const {
  int n = 0;
  for (const Write& w : writes)
    if (w.addr == addr) ++n;
  return n;
}

std::string FakeStation::handle(const std::string& adu, std::uint64_t t) {
  ++requests;
  if (silent) return "";
  if (adu.size() < 8) return "";
  const std::uint16_t tx = be16(adu, 0);
  const std::uint16_t len = be16(adu, 4);
  if (be16(adu, 2) != 0 || len + 6u != adu.size()) return "";
  const std::uint8_t u = static_cast<std::uint8_t>(adu[6]);
  const std::uint8_t fc = static_cast<std::uint8_t>(adu[7]);
  if (!any_unit && u != unit) return "";
  if (garbage) return std::string("\x13\x37\xde\xad\xbe\xef\x00\x00\x00", 9);  // protocol id 0xDEAD
  auto reply = [&](const std::string& pdu) {
    std::string r;
    put16(r, tx);
    put16(r, 0);
    put16(r, static_cast<std::uint16_t>(pdu.size() + 1));
    r.push_back(static_cast<char>(u));
    return r + pdu;
  };
  auto exc = [&](int code) { return reply(std::string{static_cast<char>(fc | 0x80), static_cast<char>(code)}); };
  if (exception) return exc(exception);
  if (!functions.count(fc)) return exc(1);
  if (fc == 3 || fc == 4) {
    reads.push_back(t);
    if (adu.size() != 12) return exc(3);
    const std::uint16_t a = be16(adu, 8), n = be16(adu, 10);
    (fc == 4 ? input_reads : holding_reads).push_back(a);
    if (n < 1 || n > 125) return exc(3);
    auto& table = fc == 3 ? holding : input;
    std::string pdu{static_cast<char>(fc)};
    const std::uint16_t m = wrong_length ? static_cast<std::uint16_t>(n - 1) : n;
    pdu.push_back(static_cast<char>(2 * m));
    for (std::uint16_t i = 0; i < n; ++i) {
      const std::uint16_t r = static_cast<std::uint16_t>(a + i);
      if (!table.count(r) || (fc == 3 && write_only.count(r))) return exc(2);
      if (i < m) put16(pdu, table.at(r));
    }
    return reply(pdu);
  }
  auto store = [&](std::uint16_t a, const std::vector<std::uint16_t>& v) {
    writes.push_back({t, a, v});
    for (std::size_t i = 0; i < v.size(); ++i) holding[static_cast<std::uint16_t>(a + i)] = v[i];
    // Read-backs and set-point bookkeeping per vendor.
    if (vendor == Vendor::Abb) {
      if (a == 0x4100 && v.size() == 2) {
        holding[0x4022] = v[0];
        holding[0x4023] = v[1];
      }
      if (a == 0x4106) holding[0x4020] = v[0];
      if (a == 0x4109) holding[0x4024] = v[0];
    }
    if (vendor == Vendor::Unite && a == 5004 && v.size() == 1) {
      const bool car = input[1000] != 0 && input[1000] != 6;  // §3.2: 0 Available, 6 Reserved
      unite_offer_a = v[0] == 0 && !car ? 6 : v[0];           // §3.2: 0 without a car -> 6 A
      if (v[0] == 0) holding[5004] = 6;                       // §3.2: reads back 6
    }
    const bool sp = (vendor == Vendor::Abb && a == 0x4100) || (vendor == Vendor::Ecu && a == 1000) ||
                    ((vendor == Vendor::Tq || vendor == Vendor::Next || vendor == Vendor::Unite) && a == 5004) ||
                    (vendor == Vendor::Weidmueller && a == 11052) || (vendor == Vendor::Generic && a == 1);
    if (sp) setpoints_a.push_back(setpoint_a());
  };
  if (fc == 6) {
    if (adu.size() != 12) return exc(3);
    const std::uint16_t a = be16(adu, 8);
    if (!writable.count(a)) return exc(2);
    if (fc16_only.count(a)) return exc(1);
    store(a, {be16(adu, 10)});
    return reply(adu.substr(7, 5));
  }
  if (fc == 16) {
    if (adu.size() < 13) return exc(3);
    const std::uint16_t a = be16(adu, 8), n = be16(adu, 10);
    const std::uint8_t bytes = static_cast<std::uint8_t>(adu[12]);
    if (n < 1 || n > 123 || bytes != 2 * n || adu.size() != 13u + bytes) return exc(3);
    std::vector<std::uint16_t> v;
    for (std::uint16_t i = 0; i < n; ++i) {
      if (!writable.count(static_cast<std::uint16_t>(a + i))) return exc(2);
      v.push_back(be16(adu, 13 + 2 * i));
    }
    store(a, v);
    return reply(adu.substr(7, 5));
  }
  return exc(1);
}

}  // namespace lmc::test
