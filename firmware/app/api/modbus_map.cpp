#include "app/api/modbus_map.h"

#include "app/modbus/words.h"

namespace lmc::api {

using modbus::Exception;
using modbus::WordOrder;

namespace {
constexpr float kNaN = __builtin_nanf("");
bool finite(float v) {
  return v == v && v - v == 0.0f;  // NaN and infinities fail
}
}  // namespace

void ModbusMap::live_floats(const metering::Measurement& m, float out[22]) {
  // PUB §3.1: 19000/02/04 V; 19006-19011 not listed (0.0, A36); 19012/14/16 I; 19018 IN;
  // 19020/22/24 P, 19026 P total; 19028/30/32 S, 19034 S total; 19036/38/40 Q, 19042 Q total.
  int k = 0;
  for (int p = 0; p < 3; ++p) out[k++] = m.ph[p].v;
  for (int p = 0; p < 3; ++p) out[k++] = 0.0f;
  for (int p = 0; p < 3; ++p) out[k++] = m.ph[p].i;
  out[k++] = m.in_a;
  for (int p = 0; p < 3; ++p) out[k++] = m.ph[p].p;
  out[k++] = m.p_total;
  for (int p = 0; p < 3; ++p) out[k++] = m.ph[p].s;
  out[k++] = m.s_total;
  for (int p = 0; p < 3; ++p) out[k++] = m.ph[p].q;
  out[k++] = m.q_total;
}

Exception ModbusMap::read_registers(const modbus::Access& a, std::uint16_t* regs) {
  if (a.function != modbus::kReadHoldingRegisters) return Exception::kIllegalFunction;  // FC04, FC23
  const std::uint32_t end = std::uint32_t{a.address} + a.count;
  std::uint16_t block[2 * 22];
  std::uint16_t base = 0;
  if (a.address >= kReadBase && end <= kReadEnd) {
    float f[22];
    live_floats(live_.measurement(), f);
    for (int i = 0; i < 22; ++i) modbus::put_f32(block + 2 * i, f[i], WordOrder::kABCD);
    base = kReadBase;
  } else if (a.address >= kWriteBase && end <= kWriteEnd) {
    double cur = 0, fb = 0;
    const bool has_cur = control_.current_limit(cur);
    const bool has_fb = control_.fallback_limit(fb);
    modbus::put_f32(block + 0, control_.active() ? 1.0f : 0.0f, WordOrder::kABCD);
    modbus::put_f32(block + 2, has_fb ? static_cast<float>(fb) : kNaN, WordOrder::kABCD);
    modbus::put_f32(block + 4, has_cur ? static_cast<float>(cur) : kNaN, WordOrder::kABCD);
    modbus::put_f32(block + 6, keepalive_value_, WordOrder::kABCD);
    base = kWriteBase;
  } else {
    return Exception::kIllegalDataAddress;
  }
  for (std::uint16_t i = 0; i < a.count; ++i) regs[i] = block[a.address - base + i];
  return Exception::kNone;
}

Exception ModbusMap::write_registers(const modbus::Access& a, const std::uint16_t* regs) {
  if (a.function != modbus::kWriteMultipleRegisters) return Exception::kIllegalFunction;  // FC06, FC23
  // MB-04 / A17: the write registers need the "cascading module".
  if (s_.get(settings::Id::FeatureModbusWrite) == 0) return Exception::kIllegalFunction;
  const std::uint32_t end = std::uint32_t{a.address} + a.count;
  if (a.address < kWriteBase || end > kWriteEnd || (a.address - kWriteBase) % 2 != 0 || a.count % 2 != 0)
    return Exception::kIllegalDataAddress;
  ControlUpdate u;
  bool keepalive = false;
  float keep_value = 0;
  for (std::uint16_t i = 0; i < a.count; i += 2) {
    const float v = modbus::get_f32(regs + i, WordOrder::kABCD);
    switch (a.address + i) {
      case kRegActivation:
        if (v != 0.0f && v != 1.0f) return Exception::kIllegalDataValue;
        u.has_activation = true;
        u.activation = v == 1.0f;
        break;
      case kRegFallback:
        if (!finite(v) || !control_.valid_limit(v)) return Exception::kIllegalDataValue;
        u.has_fallback = true;
        u.fallback_a = v;
        break;
      case kRegCurrent:
        if (!finite(v) || !control_.valid_limit(v)) return Exception::kIllegalDataValue;
        u.has_current = true;
        u.current_a = v;
        break;
      default:  // kRegKeepAlive: any value (PUB §3.2)
        keepalive = true;
        keep_value = v;
        break;
    }
  }
  const std::uint64_t now = clock_.now_ms();
  if (u.has_activation || u.has_current || u.has_fallback) {
    const ControlError e = control_.apply(u, settings::kModbus, "modbus", now);
    if (e == ControlError::NotWritable) return Exception::kIllegalFunction;
    if (e != ControlError::None) return Exception::kIllegalDataValue;
  }
  if (keepalive) {
    keepalive_value_ = keep_value;
    control_.keepalive("modbus", now);
  }
  return Exception::kNone;
}

}  // namespace lmc::api
