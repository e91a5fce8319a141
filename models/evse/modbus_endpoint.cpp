#include "models/evse/modbus_endpoint.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <stdexcept>

#include <modbus/modbus.h>

namespace lmsim::evse {

namespace {
std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
std::uint16_t swap16(std::uint16_t w) {
  return static_cast<std::uint16_t>(w << 8 | w >> 8);
}
}  // namespace

ModbusEndpoint::ModbusEndpoint(StationCore& core) : core_(core), vm_(core.vendor()) {
  // libmodbus builds the replies; it writes them to one end of a socketpair we read back.
  ctx_ = modbus_new_tcp("127.0.0.1", 502);
  if (!ctx_) throw std::runtime_error("modbus_new_tcp failed");
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sock_) != 0) throw std::runtime_error("socketpair failed");
  fcntl(sock_[1], F_SETFL, O_NONBLOCK);
  modbus_set_socket(ctx_, sock_[0]);
  map_ = modbus_mapping_new(0, 0, 0x10000, 0x10000);
  if (!map_) throw std::runtime_error("modbus_mapping_new failed");
  for (const RegDef& r : vm_.regs) {
    std::uint16_t* tab = r.table == Table::Holding ? map_->tab_registers : map_->tab_input_registers;
    for (std::size_t i = 0; i < r.words; ++i) tab[r.addr + i] = r.words_const[i];
  }
}

ModbusEndpoint::~ModbusEndpoint() {
  if (map_) modbus_mapping_free(map_);
  if (ctx_) modbus_free(ctx_);  // does not close the socket we set
  for (int s : sock_)
    if (s >= 0) close(s);
}

std::vector<std::uint8_t> ModbusEndpoint::exception(const std::uint8_t* adu, int code) const {
  return {
      adu[0], adu[1], 0, 0, 0, 3, adu[6], static_cast<std::uint8_t>(adu[7] | 0x80), static_cast<std::uint8_t>(code)};
}

std::vector<std::uint8_t> ModbusEndpoint::reply(const std::uint8_t* adu, std::size_t len) {
  int rc = modbus_reply(ctx_, adu, static_cast<int>(len), map_);
  if (rc <= 0) return {};
  std::vector<std::uint8_t> out(static_cast<std::size_t>(rc));
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = recv(sock_[1], out.data() + got, out.size() - got, 0);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}

void ModbusEndpoint::encode(const RegDef& r) {
  std::uint16_t* tab = (r.table == Table::Holding ? map_->tab_registers : map_->tab_input_registers) + r.addr;
  if (r.bind == Bind::Const || r.bind == Bind::Store) return;  // constant or written content
  bool absent = false;
  const double v = core_.read(r.bind, absent);
  std::int64_t code;
  if (absent && r.absent) {
    code = *r.absent;
  } else if (!r.map.empty()) {
    std::string key;
    if (r.bind == Bind::Status)
      key = to_string(core_.status());
    else if (r.bind == Bind::Pilot)
      key = std::string(1, static_cast<char>('A' + static_cast<int>(v)));
    else
      key = std::to_string(std::llround(v));
    auto it = r.map.find(key);
    code = it != r.map.end() ? it->second : r.map_default.value_or(std::llround(v));
    code <<= r.shift;
  } else {
    code = std::llround(v * r.scale) << r.shift;
  }
  switch (r.enc) {
    case Encoding::U16: tab[0] = static_cast<std::uint16_t>(std::clamp<std::int64_t>(code, 0, 0xFFFF)); break;
    case Encoding::S16: tab[0] = static_cast<std::uint16_t>(std::clamp<std::int64_t>(code, -32768, 32767)); break;
    case Encoding::U32:
    case Encoding::S32: {
      auto x =
          static_cast<std::uint32_t>(r.enc == Encoding::U32 ? std::clamp<std::int64_t>(code, 0, 0xFFFFFFFFLL)
                                                            : std::clamp<std::int64_t>(code, INT32_MIN, INT32_MAX));
      const auto hi = static_cast<std::uint16_t>(x >> 16), lo = static_cast<std::uint16_t>(x);
      tab[0] = r.lsw_first ? lo : hi;
      tab[1] = r.lsw_first ? hi : lo;
      break;
    }
    default: break;
  }
  if (r.low_byte_first && r.enc != Encoding::Raw && r.enc != Encoding::Ascii)
    for (std::size_t i = 0; i < r.words; ++i) tab[i] = swap16(tab[i]);
  switch (r.enc) {
    case Encoding::Raw:
    case Encoding::Ascii:
      for (std::size_t i = 0; i < r.words; ++i) tab[i] = 0;
      tab[r.words - 1] = static_cast<std::uint16_t>(code);
      break;
    default: break;
  }
}

bool ModbusEndpoint::decode(const RegDef& r, const std::uint16_t* raw, double& value) const {
  std::uint16_t w[2] = {raw[0], r.words > 1 ? raw[1] : std::uint16_t{0}};
  if (r.low_byte_first && r.enc != Encoding::Raw && r.enc != Encoding::Ascii)
    for (auto& x : w) x = swap16(x);
  if (r.enc == Encoding::Raw || r.enc == Encoding::Ascii) w[0] = raw[r.words - 1];
  double code;
  switch (r.enc) {
    case Encoding::U16: code = w[0]; break;
    case Encoding::S16: code = static_cast<std::int16_t>(w[0]); break;
    case Encoding::U32:
    case Encoding::S32: {
      std::uint32_t x = r.lsw_first ? (static_cast<std::uint32_t>(w[1]) << 16 | w[0])
                                    : (static_cast<std::uint32_t>(w[0]) << 16 | w[1]);
      code = r.enc == Encoding::U32 ? static_cast<double>(x) : static_cast<double>(static_cast<std::int32_t>(x));
      break;
    }
    default: code = w[0];
  }
  if ((r.min && code < *r.min) || (r.max && code > *r.max)) return false;
  value = code / r.scale;
  return true;
}

std::vector<std::uint8_t> ModbusEndpoint::handle(const std::uint8_t* adu, std::size_t len, Time t, int conn) {
  // Malformed framing: a real server drops it; never read past `len`.
  if (!adu || len < 8 || len > MODBUS_TCP_MAX_ADU_LENGTH) return {};
  if (be16(adu + 2) != 0 || be16(adu + 4) != len - 6) return {};
  core_.sync(t);
  if (!vm_.modbus) return {};
  if (conn >= 0 && !core_.connection_alive(conn)) return {};
  if (!core_.modbus_answers()) return {};
  if (conn >= 0) core_.touch(conn, t);
  ++requests_;
  const int unit = adu[6];
  const int fc = adu[7];
  if (int e = core_.injected_exception()) return exception(adu, e);
  if (!core_.unit_ok(unit)) return vm_.wrong_unit_exception ? exception(adu, 0x0B) : std::vector<std::uint8_t>{};
  if (fc >= 128 || !vm_.fc_allowed[static_cast<std::size_t>(fc)]) return exception(adu, 1);
  const std::uint8_t* pdu = adu + 7;
  const std::size_t plen = len - 7;
  switch (fc) {
    case 3:
    case 4: {
      if (plen != 5) return exception(adu, 3);
      const std::uint32_t addr = be16(pdu + 1), count = be16(pdu + 3);
      if (count < 1 || count > 125) return exception(adu, 3);
      if (addr + count > 0x10000) return exception(adu, 2);
      const Table table = fc == 3 ? Table::Holding : Table::Input;
      bool drop = false, errors_read = false;
      const RegDef* last = nullptr;
      for (std::uint32_t a = addr; a < addr + count; ++a) {
        const RegDef* r = vm_.find(table, static_cast<std::uint16_t>(a));
        if (!r || !r->readable) return exception(adu, 2);
        if (r != last) {
          encode(*r);
          drop |= r->drop_on_read;
          errors_read |= r->bind == Bind::Errors;
          last = r;
        }
      }
      if (drop) {
        if (conn >= 0) core_.close_connection(conn);
        return {};
      }
      auto out = reply(adu, len);
      if (errors_read) core_.errors_read();
      core_.served(true);
      return out;
    }
    case 6:
    case 16: {
      std::uint32_t addr, count;
      const std::uint8_t* data;
      if (fc == 6) {
        if (plen != 5) return exception(adu, 3);
        addr = be16(pdu + 1);
        count = 1;
        data = pdu + 3;
      } else {
        if (plen < 6) return exception(adu, 3);
        addr = be16(pdu + 1);
        count = be16(pdu + 3);
        if (count < 1 || count > 123 || pdu[5] != count * 2 || plen != 6 + count * 2) return exception(adu, 3);
        data = pdu + 6;
      }
      if (addr + count > 0x10000) return exception(adu, 2);
      std::uint16_t words[125];
      for (std::uint32_t i = 0; i < count; ++i) words[i] = be16(data + 2 * i);
      // Validate everything before applying anything.
      struct Pending {
        const RegDef* r;
        double v;
      };
      Pending todo[125];
      std::size_t n = 0;
      for (std::uint32_t a = addr; a < addr + count;) {
        const RegDef* r = vm_.find(Table::Holding, static_cast<std::uint16_t>(a));
        if (!r) return exception(adu, 2);
        if (!r->writable) return exception(adu, vm_.readonly_write_exception);
        if (!r->write_fcs.empty() && std::find(r->write_fcs.begin(), r->write_fcs.end(), fc) == r->write_fcs.end())
          return exception(adu, 1);
        if (r->addr != a || r->addr + r->words > addr + count) return exception(adu, 2);  // partial multi-word write
        double v = 0;
        if (r->bind != Bind::Store && r->bind != Bind::Const && !decode(*r, words + (a - addr), v))
          return exception(adu, 3);
        if (r->bind == Bind::Store && (r->min || r->max) && !decode(*r, words + (a - addr), v))
          return exception(adu, 3);
        todo[n++] = {r, v};
        a += r->words;
      }
      for (std::size_t i = 0; i < n; ++i) {
        const RegDef* r = todo[i].r;
        if (r->bind == Bind::Store || r->bind == Bind::Const) continue;
        if (int e = core_.write(r->bind, todo[i].v, r->apply_on_restart)) return exception(adu, e);
      }
      auto out = reply(adu, len);
      core_.served(false);
      return out;
    }
    default: return exception(adu, 1);
  }
}

}  // namespace lmsim::evse
