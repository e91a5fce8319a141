#include "drivers/afe.h"

namespace drivers {

void Afe::init(std::uint32_t window_ms, bool irq_on_ready) {
  r(WINDOW_MS) = window_ms;
  r(IRQ_EN) = irq_on_ready ? DRDY : 0u;
  r(STATUS) = DRDY | CAP_DONE | CAP_ERR;
  r(CTRL) = CTRL_EN;
}

bool Afe::ready(bool take) {
  if (!(r(STATUS) & DRDY)) return false;
  if (take) r(STATUS) = DRDY;
  return true;
}

void Afe::read(int channel, Phase& out) const {
  const std::uint32_t b = CH_BASE + CH_STRIDE * static_cast<std::uint32_t>(channel);
  out.vrms_mv = r(b + VRMS_MV);
  out.irms_ma = r(b + IRMS_MA);
  out.p_mw = static_cast<std::int32_t>(r(b + P_MW));
  out.q_mvar = static_cast<std::int32_t>(r(b + Q_MVAR));
  out.s_mva = r(b + S_MVA);
  out.pf_e4 = static_cast<std::int32_t>(r(b + PF_E4));
  out.angle_cdeg = static_cast<std::int32_t>(r(b + ANGLE_CDEG));
  // LO first: reading it latches HI.
  std::uint32_t lo = r(b + IMP_MWH_LO);
  out.import_mwh = (static_cast<std::uint64_t>(r(b + IMP_MWH_HI)) << 32) | lo;
  lo = r(b + EXP_MWH_LO);
  out.export_mwh = (static_cast<std::uint64_t>(r(b + EXP_MWH_HI)) << 32) | lo;
}

bool Afe::capture_start(std::uint32_t points, std::uint32_t rate_hz, std::uint32_t dma_addr) {
  if (capture_busy()) return false;
  r(CAP_LEN) = points;
  r(CAP_RATE_HZ) = rate_hz;
  r(CAP_DMA) = dma_addr;
  r(CAP_CTRL) = 1;
  return true;
}

void Afe::capture_read(std::uint32_t first, std::int32_t* out, std::uint32_t n) {
  r(CAP_INDEX) = first;
  for (std::uint32_t i = 0; i < n; ++i) out[i] = static_cast<std::int32_t>(r(CAP_DATA));
}

}  // namespace drivers
