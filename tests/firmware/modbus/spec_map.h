// A register map holding the example data of the Modbus Application Protocol Specification
// v1.1b3 §6 (each function's "Request / Response" example), shared by the Modbus tests.
// Addresses are protocol (0-based) addresses: the spec's "coils 20-38" are 19..37.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "app/modbus/server.h"

namespace lmc::modbus::test {

class SpecMap final : public RegisterMap {
 public:
  SpecMap() {
    // §6.1: coils 20..38 read as CD 6B 05 (LSB = lowest coil).
    const std::uint8_t coils[] = {0xCD, 0x6B, 0x05};
    for (int i = 0; i < 19; ++i) coil[19 + i] = (coils[i / 8] >> (i % 8)) & 1;
    // §6.2: inputs 197..218 read as AC DB 35.
    const std::uint8_t inputs[] = {0xAC, 0xDB, 0x35};
    for (int i = 0; i < 22; ++i) input[196 + i] = (inputs[i / 8] >> (i % 8)) & 1;
    // §6.3: holding registers 108..110 = 0x022B, 0x0000, 0x0064.
    holding[107] = 0x022B;
    holding[108] = 0x0000;
    holding[109] = 0x0064;
    // §6.4: input register 9 = 0x000A.
    input_reg[8] = 0x000A;
    // §6.17: holding registers 4..9 read back 00FE 0ACD 0001 0003 000D 00FF.
    const std::uint16_t rw[] = {0x00FE, 0x0ACD, 0x0001, 0x0003, 0x000D, 0x00FF};
    for (int i = 0; i < 6; ++i) holding[3 + i] = rw[i];
  }

  bool accepts_unit(std::uint8_t unit) override { return only_unit < 0 || unit == only_unit; }

  Exception read_bits(const Access& a, std::uint8_t* packed) override {
    if (fail != Exception::kNone) return fail;
    const auto& src = a.function == kReadCoils ? coil : input;
    for (int i = 0; i < a.count; ++i) {
      if (src[a.address + i]) packed[i / 8] = static_cast<std::uint8_t>(packed[i / 8] | (1U << (i % 8)));
    }
    return Exception::kNone;
  }
  Exception read_registers(const Access& a, std::uint16_t* regs) override {
    if (fail != Exception::kNone) return fail;
    const auto& src = a.function == kReadInputRegisters ? input_reg : holding;
    for (int i = 0; i < a.count; ++i) regs[i] = src[a.address + i];
    return Exception::kNone;
  }
  Exception write_bits(const Access& a, const std::uint8_t* packed) override {
    if (fail != Exception::kNone) return fail;
    for (int i = 0; i < a.count; ++i) coil[a.address + i] = (packed[i / 8] >> (i % 8)) & 1;
    return Exception::kNone;
  }
  Exception write_registers(const Access& a, const std::uint16_t* regs) override {
    if (fail != Exception::kNone) return fail;
    last_write = a;
    for (int i = 0; i < a.count; ++i) holding[a.address + i] = regs[i];
    return Exception::kNone;
  }

  std::vector<std::uint8_t> coil = std::vector<std::uint8_t>(65536);
  std::vector<std::uint8_t> input = std::vector<std::uint8_t>(65536);
  std::vector<std::uint16_t> holding = std::vector<std::uint16_t>(65536);
  std::vector<std::uint16_t> input_reg = std::vector<std::uint16_t>(65536);
  Exception fail = Exception::kNone;  // answer every access with this exception
  int only_unit = -1;
  Access last_write;
};

}  // namespace lmc::modbus::test
