#include "models/evse/vendor_map.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>

namespace lmsim::evse {

namespace {

struct BindName {
  const char* name;
  Bind bind;
};
constexpr BindName kBinds[] = {
    {"const", Bind::Const},
    {"store", Bind::Store},
    {"status", Bind::Status},
    {"pilot", Bind::Pilot},
    {"cable", Bind::Cable},
    {"offered_current", Bind::Offered},
    {"current.L1", Bind::Current1},
    {"current.L2", Bind::Current2},
    {"current.L3", Bind::Current3},
    {"voltage.L1", Bind::Voltage1},
    {"voltage.L2", Bind::Voltage2},
    {"voltage.L3", Bind::Voltage3},
    {"power", Bind::Power},
    {"power.L1", Bind::Power1},
    {"power.L2", Bind::Power2},
    {"power.L3", Bind::Power3},
    {"energy", Bind::Energy},
    {"session_energy", Bind::SessionEnergy},
    {"session_duration", Bind::SessionDuration},
    {"max_current", Bind::MaxCurrent},
    {"min_current", Bind::MinCurrent},
    {"charging", Bind::Charging},
    {"errors", Bind::Errors},
    {"setpoint", Bind::Setpoint},
    {"setpoint_persistent", Bind::SetpointPersistent},
    {"failsafe_current", Bind::FailsafeCurrent},
    {"comm_timeout", Bind::CommTimeout},
    {"lifebit", Bind::Lifebit},
    {"lcm_timeout", Bind::LcmTimeout},
    {"start_stop", Bind::StartStop},
    {"lock", Bind::Lock},
    {"availability", Bind::Availability},
    {"dlm_mode", Bind::DlmMode},
    {"phases", Bind::Phases},
    {"phase_switch", Bind::PhaseSwitch},
    {"last_session_energy", Bind::LastSessionEnergy},
    {"session_command", Bind::SessionCommand},
    {"power_setpoint", Bind::PowerSetpoint},
    {"error_code", Bind::ErrorCode},
};

// Core error flags a vendor map may give bits (`errors:`) or codes (`error_codes:`).
const std::set<std::string>& core_errors() {
  static const std::set<std::string> known{"comm_lost", "contactor_weld", "power_loss",
                                           "ev_error",  "ev_overcurrent", "cp_error"};
  return known;
}

// Integers in register tables may be hex (0x4000).
long long parse_int(const YNode& n) {
  const std::string& s = n.scalar();
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 0);
  if (s.empty() || errno != 0 || *end != '\0') n.fail("expected a whole number (decimal or 0x hex), got '" + s + "'");
  return v;
}

double parse_num(const YNode& n) {
  const std::string& s = n.scalar();
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) return static_cast<double>(parse_int(n));
  return n.number();
}

Encoding parse_enc(const YNode& n) {
  const std::string& s = n.scalar();
  if (s == "u16") return Encoding::U16;
  if (s == "s16") return Encoding::S16;
  if (s == "u32") return Encoding::U32;
  if (s == "s32") return Encoding::S32;
  if (s == "raw") return Encoding::Raw;
  if (s == "ascii") return Encoding::Ascii;
  n.fail("unknown register type '" + s + "' (u16, s16, u32, s32, raw, ascii)");
}

bool parse_order(const YNode& n) {
  const std::string& s = n.scalar();
  if (s == "hi-first" || s == "msw-first" || s == "big-endian") return false;
  if (s == "lsw-first" || s == "lo-first" || s == "word-swapped") return true;
  n.fail("unknown word order '" + s + "' (hi-first, lsw-first)");
}

RegDef parse_reg(const YNode& n, bool vendor_lsw) {
  RegDef r;
  r.origin = n.file() + ":" + std::to_string(n.line());
  long long addr = parse_int(n["addr"]);
  if (addr < 0 || addr > 0xFFFF) n["addr"].fail("register address out of range 0..65535");
  r.addr = static_cast<std::uint16_t>(addr);
  r.name = n.str_or("name", "reg" + std::to_string(addr));
  if (const YNode* d = n.get("note")) (void)d->scalar();
  r.lsw_first = vendor_lsw;
  if (const YNode* t = n.get("type")) r.enc = parse_enc(*t);
  if (const YNode* o = n.get("order")) r.lsw_first = parse_order(*o);
  if (const YNode* b = n.get("bytes")) {
    if (b->scalar() == "lo-first")
      r.low_byte_first = true;
    else if (b->scalar() != "hi-first")
      b->fail("bytes must be hi-first or lo-first");
  }
  switch (r.enc) {
    case Encoding::U16:
    case Encoding::S16: r.words = 1; break;
    case Encoding::U32:
    case Encoding::S32: r.words = 2; break;
    default: r.words = 1;
  }
  if (const YNode* w = n.get("words")) {
    long long wv = parse_int(*w);
    if (wv < 1 || wv > 125) w->fail("words must be 1..125");
    if (r.enc != Encoding::Raw && r.enc != Encoding::Ascii) w->fail("words is only for raw and ascii registers");
    r.words = static_cast<std::uint16_t>(wv);
  }
  if (addr + r.words > 0x10000) n.fail("register runs past address 65535");
  if (const YNode* t = n.get("table")) {
    if (t->scalar() == "holding")
      r.table = Table::Holding;
    else if (t->scalar() == "input")
      r.table = Table::Input;
    else
      t->fail("table must be holding or input");
  }
  if (const YNode* b = n.get("bind")) {
    bool found = false;
    for (const auto& bn : kBinds)
      if (b->scalar() == bn.name) {
        r.bind = bn.bind;
        found = true;
      }
    if (!found) {
      std::string all;
      for (const auto& bn : kBinds) all += std::string(all.empty() ? "" : ", ") + bn.name;
      b->fail("unknown binding '" + b->scalar() + "' (known: " + all + ")");
    }
  }
  r.scale = n.num_or("scale", 1);
  r.shift = static_cast<int>(n.num_or("shift", 0));
  std::string access = n.str_or("access", r.bind == Bind::Store ? "rw" : "r");
  if (access != "r" && access != "w" && access != "rw") n["access"].fail("access must be r, w or rw");
  r.readable = access.find('r') != std::string::npos;
  r.writable = access.find('w') != std::string::npos;
  if (const YNode* a = n.get("apply")) {
    if (a->scalar() == "restart")
      r.apply_on_restart = true;
    else if (a->scalar() != "now")
      a->fail("apply must be now or restart");
  }
  if (const YNode* o = n.get("on_read")) {
    if (o->scalar() == "drop-connection")
      r.drop_on_read = true;
    else
      o->fail("on_read must be drop-connection");
  }
  if (const YNode* f = n.get("fc"))
    for (const auto& i : f->items()) r.write_fcs.push_back(static_cast<int>(parse_int(i)));
  if (const YNode* v = n.get("value")) {
    std::vector<long long> vals;
    if (v->is_seq())
      for (const auto& i : v->items()) vals.push_back(parse_int(i));
    else
      vals.push_back(parse_int(*v));
    if (r.enc == Encoding::Raw) {
      if (vals.size() != r.words) v->fail("raw value needs exactly 'words' entries");
      for (auto x : vals) r.words_const.push_back(static_cast<std::uint16_t>(x));
    } else {
      if (vals.size() != 1) v->fail("expected one number");
      std::uint32_t x = static_cast<std::uint32_t>(vals[0]);
      if (r.words == 1)
        r.words_const = {static_cast<std::uint16_t>(x)};
      else if (r.lsw_first)
        r.words_const = {static_cast<std::uint16_t>(x), static_cast<std::uint16_t>(x >> 16)};
      else
        r.words_const = {static_cast<std::uint16_t>(x >> 16), static_cast<std::uint16_t>(x)};
      if (r.low_byte_first)
        for (auto& w : r.words_const) w = static_cast<std::uint16_t>(w << 8 | w >> 8);
    }
  }
  // `chars: 1`: one character per register in the low byte (Vestel/Unite strings, which evcc
  // decodes as UTF-16BE); default 2 per register, high byte first.
  int chars = 2;
  if (const YNode* c = n.get("chars")) {
    chars = static_cast<int>(parse_int(*c));
    if (chars != 1 && chars != 2) c->fail("chars must be 1 or 2 (characters per register)");
    if (r.enc != Encoding::Ascii) c->fail("chars is only for ascii registers");
  }
  if (const YNode* t = n.get("text")) {
    if (r.enc != Encoding::Ascii) t->fail("text is only for ascii registers");
    const std::string& s = t->scalar();
    if (s.size() > static_cast<std::size_t>(chars) * r.words)
      t->fail("text longer than " + std::to_string(chars) + "*words characters");
    r.words_const.assign(r.words, 0);
    for (std::size_t i = 0; i < s.size(); ++i) {
      auto c = static_cast<std::uint16_t>(static_cast<unsigned char>(s[i]));
      if (chars == 1)
        r.words_const[i] = c;
      else
        r.words_const[i / 2] |= (i % 2 == 0) ? static_cast<std::uint16_t>(c << 8) : c;
    }
  }
  if (r.words_const.empty()) r.words_const.assign(r.words, 0);
  if (const YNode* m = n.get("map")) {
    for (const auto& k : m->keys()) r.map[k] = parse_int((*m)[k]);
    m->finish();
  }
  if (const YNode* d = n.get("default")) r.map_default = parse_int(*d);
  if (const YNode* a = n.get("absent")) r.absent = static_cast<std::uint32_t>(parse_int(*a));
  if (const YNode* x = n.get("min")) r.min = parse_num(*x);
  if (const YNode* x = n.get("max")) r.max = parse_num(*x);
  bool needs_map = r.bind == Bind::Status || r.bind == Bind::Pilot;
  if (needs_map && r.map.empty()) n.fail("binding '" + std::string(to_string(r.bind)) + "' needs a map");
  n.finish();
  return r;
}

void apply_yaml(VendorMap& m, const YNode& n) {
  m.origin = n.file() + ":" + std::to_string(n.line());
  if (const YNode* d = n.get("description")) m.description = d->scalar();
  if (const YNode* mb = n.get("modbus")) m.modbus = mb->boolean();
  if (const YNode* u = n.get("unit_id")) {
    if (u->is_scalar() && u->scalar() == "any") {
      m.any_unit = true;
    } else {
      m.any_unit = false;
      m.unit_ids.clear();
      if (u->is_seq())
        for (const auto& i : u->items()) m.unit_ids.push_back(static_cast<int>(parse_int(i)));
      else
        m.unit_ids.push_back(static_cast<int>(parse_int(*u)));
      for (int id : m.unit_ids)
        if (id < 0 || id > 255) u->fail("unit ids are 0..255");
    }
  }
  if (const YNode* w = n.get("wrong_unit")) {
    if (w->scalar() == "silence")
      m.wrong_unit_exception = false;
    else if (w->scalar() == "exception")
      m.wrong_unit_exception = true;
    else
      w->fail("wrong_unit must be silence or exception");
  }
  if (const YNode* f = n.get("functions")) {
    m.fc_allowed.fill(false);
    for (const auto& i : f->items()) {
      long long fc = parse_int(i);
      if (fc != 3 && fc != 4 && fc != 6 && fc != 16) i.fail("supported function codes are 3, 4, 6 and 16");
      m.fc_allowed[static_cast<std::size_t>(fc)] = true;
    }
  }
  if (const YNode* o = n.get("word_order")) m.lsw_first = parse_order(*o);
  if (const YNode* c = n.get("max_clients")) m.max_clients = static_cast<int>(parse_int(*c));
  m.boot_time = n.dur_or("boot_time", m.boot_time);
  m.min_off_time = n.dur_or("min_off_time", m.min_off_time);
  if (const YNode* e = n.get("readonly_write_exception")) m.readonly_write_exception = static_cast<int>(parse_int(*e));
  if (const YNode* w = n.get("watchdog")) {
    const std::string& s = w->scalar();
    if (s == "none")
      m.watchdog = Watchdog::None;
    else if (s == "any-read")
      m.watchdog = Watchdog::AnyRead;
    else if (s == "any-request")
      m.watchdog = Watchdog::AnyRequest;
    else if (s == "lifebit")
      m.watchdog = Watchdog::Lifebit;
    else if (s == "countdown")
      m.watchdog = Watchdog::Countdown;
    else
      w->fail("watchdog must be none, any-read, any-request, lifebit or countdown");
  }
  if (const YNode* f = n.get("comm_lost_clear")) {
    if (f->scalar() == "feed")
      m.comm_lost_clear = FlagClear::Feed;
    else if (f->scalar() == "error-read")
      m.comm_lost_clear = FlagClear::ErrorRead;
    else
      f->fail("comm_lost_clear must be feed or error-read");
  }
  if (const YNode* a = n.get("watchdog_arm")) {
    const std::string& s = a->scalar();
    if (s == "any-request")
      m.watchdog_arm = WatchdogArm::AnyRequest;
    else if (s == "first-write")
      m.watchdog_arm = WatchdogArm::FirstWrite;
    else if (s == "feed")
      m.watchdog_arm = WatchdogArm::Feed;
    else
      a->fail("watchdog_arm must be any-request, first-write or feed");
    // A countdown runs from the written count: there is nothing to time before the first one.
    if (m.watchdog == Watchdog::Countdown && *m.watchdog_arm != WatchdogArm::Feed)
      a->fail("a countdown watchdog is armed only by its countdown write (watchdog_arm: feed)");
  }
  if (const YNode* d = n.get("defaults")) {
    m.default_setpoint = d->qty_or("setpoint", "A", m.default_setpoint);
    m.default_failsafe = d->qty_or("failsafe_current", "A", m.default_failsafe);
    if (const YNode* t = d->get("comm_timeout")) m.default_timeout = time_to_seconds(t->duration());
    if (const YNode* t = d->get("lcm_timeout")) m.default_lcm_ms = time_to_seconds(t->duration()) * 1000;
    d->finish();
  }
  if (const YNode* q = n.get("quirks"))
    q->fail(
        "'quirks' were replaced by named behaviour parameters (on_lapse, fallback_unset, lapse_drops_connections, "
        "zero_setpoint, settings_apply, dlm_roles, actuation, connection, session_energy_reset; docs/stations.md)");
  Behaviour& bh = m.behaviour;
  auto choice = [](const YNode& v, std::initializer_list<const char*> opts) {
    std::string all;
    int i = 0;
    for (const char* o : opts) {
      if (v.scalar() == o) return i;
      all += std::string(all.empty() ? "" : ", ") + o;
      ++i;
    }
    v.fail("expected one of " + all + ", got '" + v.scalar() + "'");
  };
  if (const YNode* v = n.get("on_lapse"))
    bh.on_lapse =
        choice(*v, {"failsafe-current", "keep-limit"}) == 0 ? LapseAction::FailsafeCurrent : LapseAction::KeepLimit;
  if (const YNode* v = n.get("fallback_unset"))
    bh.unset_fallback_is_error = choice(*v, {"fallback", "error-stop"}) == 1;
  if (const YNode* v = n.get("lapse_drops_connections")) bh.lapse_drops_connections = v->boolean();
  if (const YNode* z = n.get("zero_setpoint")) {
    if (const YNode* v = z->get("reads_as")) bh.zero_setpoint_reads_as = v->quantity_value("A");
    if (const YNode* v = z->get("without_ev")) bh.zero_setpoint_without_ev = v->quantity_value("A");
    z->finish();
  }
  if (const YNode* v = n.get("settings_apply")) bh.settings_need_restart = choice(*v, {"now", "restart"}) == 1;
  if (const YNode* v = n.get("dlm_roles")) bh.dlm_roles = v->boolean();
  if (const YNode* a = n.get("actuation")) {
    bh.actuation_delay = a->dur_or("delay", bh.actuation_delay);
    bh.actuation_jitter = a->dur_or("jitter", bh.actuation_jitter);
    bh.current_step = a->qty_or("step", "A", bh.current_step);
    if (bh.current_step < 0) (*a)["step"].fail("step must not be negative");
    a->finish();
  }
  if (const YNode* c = n.get("connection")) {
    bh.idle_timeout = c->dur_or("idle_timeout", bh.idle_timeout);
    bh.max_connection_time = c->dur_or("max_time", bh.max_connection_time);
    bh.reply_latency = c->dur_or("reply_latency", bh.reply_latency);
    if (const YNode* v = c->get("lockout_after"))
      bh.lockout_after = static_cast<LockoutAfter>(choice(*v, {"none", "lapse", "disconnect"}));
    if (const YNode* v = c->get("lockout")) {
      if (v->is_scalar() && v->scalar() == "comm-timeout")
        bh.lockout_time.reset();
      else
        bh.lockout_time = v->duration();
    }
    c->finish();
  }
  if (const YNode* o = n.get("overcurrent")) {
    bh.overcurrent_margin = o->qty_or("margin", "A", bh.overcurrent_margin);
    bh.overcurrent_time = o->dur_or("after", bh.overcurrent_time);
    o->finish();
  }
  if (const YNode* v = n.get("session_energy_reset"))
    bh.session_reset = choice(*v, {"unplug", "next-plug"}) == 0 ? SessionReset::Unplug : SessionReset::NextPlug;
  if (const YNode* e = n.get("error_codes")) {
    for (const auto& k : e->keys()) {
      if (!core_errors().count(k))
        (*e)[k].fail("unknown core error '" + k +
                     "' (comm_lost, contactor_weld, power_loss, ev_error, ev_overcurrent, cp_error)");
      bh.error_codes[k] = static_cast<std::uint32_t>(parse_int((*e)[k]));
    }
    e->finish();
  }
  if (const YNode* e = n.get("errors")) {
    for (const auto& k : e->keys()) {
      if (!core_errors().count(k))
        (*e)[k].fail("unknown core error '" + k +
                     "' (comm_lost, contactor_weld, power_loss, ev_error, ev_overcurrent, cp_error)");
      m.error_bits[k] = static_cast<std::uint32_t>(parse_int((*e)[k]));
    }
    e->finish();
  }
  if (const YNode* rs = n.get("registers")) {
    // A child map replaces the inherited registers it overlaps; overlaps within one map are
    // errors (build_index).
    std::vector<RegDef> own;
    for (const auto& i : rs->items()) own.push_back(parse_reg(i, m.lsw_first));
    for (const RegDef& r : own)
      std::erase_if(m.regs, [&](const RegDef& o) {
        return o.table == r.table && o.addr < r.addr + r.words && r.addr < o.addr + o.words;
      });
    for (RegDef& r : own) m.regs.push_back(std::move(r));
  }
  if (const YNode* d = n.get("remove")) {
    for (const auto& i : d->items()) {
      auto a = parse_int(i);
      std::erase_if(m.regs, [&](const RegDef& o) { return o.addr == a; });
    }
  }
  n.finish();
}

}  // namespace

const char* to_string(Bind b) {
  for (const auto& bn : kBinds)
    if (bn.bind == b) return bn.name;
  return "?";
}

bool VendorMap::has_bind(Bind b) const {
  return std::any_of(regs.begin(), regs.end(), [b](const RegDef& r) { return r.bind == b; });
}

void VendorMap::build_index() {
  for (auto& ix : index) ix.assign(0x10000, -1);
  for (std::size_t i = 0; i < regs.size(); ++i) {
    const RegDef& r = regs[i];
    auto& ix = index[static_cast<int>(r.table)];
    for (std::uint32_t a = r.addr; a < static_cast<std::uint32_t>(r.addr) + r.words; ++a) {
      if (ix[a] >= 0)
        throw InputError(r.origin + ": register " + r.name + " overlaps " + regs[static_cast<std::size_t>(ix[a])].name +
                         " at address " + std::to_string(a) + " in vendor map '" + name + "'");
      ix[a] = static_cast<std::int32_t>(i);
    }
  }
}

VendorLibrary::VendorLibrary() {
  for (const auto& [name, text] : embedded_vendor_files()) texts_[name] = text;
}

std::vector<std::string> VendorLibrary::builtin_names() const {
  std::vector<std::string> v;
  for (const auto& [k, t] : texts_) v.push_back(k);
  return v;
}

const VendorMap& VendorLibrary::get(const std::string& name, const YNode* where) {
  if (auto it = maps_.find(name); it != maps_.end()) return *it->second;
  auto t = texts_.find(name);
  if (t == texts_.end()) {
    std::string all;
    for (const auto& [k, x] : texts_) all += std::string(all.empty() ? "" : ", ") + k;
    for (const auto& [k, x] : maps_)
      if (!texts_.count(k)) all += ", " + k;
    std::string msg = "unknown station model '" + name + "' (known: " + all + ")";
    if (where) where->fail(msg);
    throw InputError(msg);
  }
  YNode n = YNode::load_string(t->second, "models/evse/vendors/" + name + ".yaml");
  return define(n, name);
}

const VendorMap& VendorLibrary::define(const YNode& n, const std::string& fallback_name) {
  if (!n.is_map()) n.fail("a vendor map must be a mapping");
  std::string name = n.str_or("vendor", fallback_name);
  if (std::find(loading_.begin(), loading_.end(), name) != loading_.end()) n.fail("'extends' cycle at " + name);
  loading_.push_back(name);
  auto m = std::make_unique<VendorMap>();
  m->fc_allowed[3] = m->fc_allowed[6] = m->fc_allowed[16] = true;
  if (const YNode* e = n.get("extends")) {
    const VendorMap& parent = get(e->scalar(), e);
    *m = parent;
  }
  m->name = name;
  try {
    apply_yaml(*m, n);
    m->build_index();
  } catch (...) {
    loading_.pop_back();
    throw;
  }
  loading_.pop_back();
  auto& slot = maps_[name];
  slot = std::move(m);
  return *slot;
}

const VendorMap& VendorLibrary::load_file(const std::string& path) {
  // Read as plain YAML: scenario loading rules (include, defaults) do not apply to maps.
  std::ifstream f(path);
  if (!f) throw InputError("station model file not found: " + path);
  std::stringstream text;
  text << f.rdbuf();
  YNode n = YNode::load_string(text.str(), path);
  return define(n, std::filesystem::path(path).stem().string());
}

}  // namespace lmsim::evse
