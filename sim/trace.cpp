#include "sim/trace.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "sim/ynode.h"

namespace lmsim {

void TraceFile::put(const char* s, std::size_t n) {
  if (len_ + n > sizeof buf_) flush();
  if (n > sizeof buf_) {
    file_.write(s, n);
    total_ += n;
    return;
  }
  std::memcpy(buf_ + len_, s, n);
  len_ += n;
}
void TraceFile::put_u64(std::uint64_t v) {
  if (len_ + 24 > sizeof buf_) flush();
  auto r = std::to_chars(buf_ + len_, buf_ + sizeof buf_, v);
  len_ = static_cast<std::size_t>(r.ptr - buf_);
}
void TraceFile::put_double(double v) {
  if (len_ + 32 > sizeof buf_) flush();
  // Shortest representation that reads back exactly: deterministic and compact.
  auto r = std::to_chars(buf_ + len_, buf_ + sizeof buf_, v);
  len_ = static_cast<std::size_t>(r.ptr - buf_);
}
void TraceFile::flush() {
  if (len_) file_.write(buf_, len_);
  total_ += len_;
  len_ = 0;
}

TraceWriter::~TraceWriter() = default;

bool TraceWriter::may_write(Time t) {
  if (stopped_) return false;
  if (f_.failed()) stopped_ = true;  // the run reports it; formatting more would be wasted
  if (!stopped_ && f_.bytes() >= limit_) {
    stopped_ = limit_reached_ = true;
    stopped_at_ = t;
  }
  return !stopped_;
}

std::unique_ptr<TraceWriter> TraceWriter::open(const std::string& path, const std::vector<Signal*>& signals) {
  auto ends = [&](const char* e) {
    std::size_t n = std::strlen(e);
    return path.size() >= n && path.compare(path.size() - n, n, e) == 0;
  };
  if (ends(".vcd")) return std::make_unique<VcdWriter>(path, signals);
  if (ends(".csv")) return std::make_unique<CsvWriter>(path, signals);
  throw InputError(path + ": trace file must end in .vcd or .csv");
}

// --- VCD ---------------------------------------------------------------------------------
static std::string vcd_id(std::size_t i) {
  std::string s;
  do {
    s.push_back(static_cast<char>('!' + i % 94));
    i /= 94;
  } while (i);
  return s;
}

VcdWriter::VcdWriter(const std::string& path, const std::vector<Signal*>& signals) : TraceWriter(path) {
  for (auto* s : signals)
    if (s->type() != SignalType::Stream && s->type() != SignalType::String) signals_.push_back(s);
  f_.put("$comment lmsim trace $end\n$timescale 1ps $end\n");
  // Scopes from the dotted names: signals are sorted, so open/close scopes as prefixes change.
  std::vector<std::string> open;
  for (std::size_t i = 0; i < signals_.size(); ++i) {
    const Signal* s = signals_[i];
    std::vector<std::string> parts;
    std::size_t p = 0, q;
    while ((q = s->name().find('.', p)) != std::string::npos) {
      parts.push_back(s->name().substr(p, q - p));
      p = q + 1;
    }
    std::string leaf = s->name().substr(p);
    std::size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) ++common;
    while (open.size() > common) {
      f_.put("$upscope $end\n");
      open.pop_back();
    }
    for (std::size_t k = common; k < parts.size(); ++k) {
      f_.put("$scope module " + parts[k] + " $end\n");
      open.push_back(parts[k]);
    }
    ids_.push_back(vcd_id(i));
    by_index_.push_back(s);
    if (s->type() == SignalType::Bool)
      f_.put("$var wire 1 " + ids_.back() + " " + leaf + " $end\n");
    else if (s->type() == SignalType::Enum) {
      std::string states;
      for (std::size_t k = 0; k < s->states().size(); ++k)
        states.append(k ? "," : "").append(std::to_string(k)).append("=").append(s->states()[k]);
      f_.put("$comment " + s->name() + ": " + states + " $end\n");
      f_.put("$var integer 32 " + ids_.back() + " " + leaf + " $end\n");
    } else {
      // Appended, not `"_" + std::string`: GCC 12 at -O3 reports a false -Wrestrict there
      // (GCC bug 105329).
      std::string unit;
      if (!s->unit().empty()) unit.append("_").append(s->unit() == "%" ? "pct" : s->unit());
      f_.put("$var real 64 " + ids_.back() + " " + leaf + unit + " $end\n");
    }
  }
  while (!open.empty()) {
    f_.put("$upscope $end\n");
    open.pop_back();
  }
  f_.put("$enddefinitions $end\n#0\n$dumpvars\n");
  for (std::size_t i = 0; i < signals_.size(); ++i) write_value(*signals_[i], i);
  f_.put("$end\n");
  last_t_ = 0;
  for (std::size_t i = 0; i < signals_.size(); ++i) signals_[i]->add_listener(this);
}

void VcdWriter::write_value(const Signal& s, std::size_t idx) {
  switch (s.type()) {
    case SignalType::Bool: f_.put(s.value() != 0 ? '1' : '0'); break;
    case SignalType::Enum: {
      f_.put('b');
      auto v = static_cast<std::uint32_t>(s.value());
      if (v == 0)
        f_.put('0');
      else {
        char b[33];
        int n = 0;
        while (v) b[n++] = static_cast<char>('0' + (v & 1)), v >>= 1;
        while (n) f_.put(b[--n]);
      }
      f_.put(' ');
      break;
    }
    default:
      f_.put('r');
      f_.put_double(s.value());
      f_.put(' ');
  }
  f_.put(ids_[idx]);
  f_.put('\n');
}

void VcdWriter::on_change(const Signal& s, Time t) {
  if (closed_ || stopped_) return;
  if (t != last_t_) {
    if (!may_write(t)) {
      if (limit_reached_) f_.put("$comment lmsim: trace stopped here at its size limit $end\n");
      return;
    }
    f_.put('#');
    f_.put_u64(t);
    f_.put('\n');
    last_t_ = t;
  }
  // Linear search is fine for the usual handful of traced signals; index by pointer for many.
  std::size_t idx = 0;
  if (by_index_.size() < 16) {
    while (by_index_[idx] != &s) ++idx;
  } else {
    idx = static_cast<std::size_t>(
        std::lower_bound(by_index_.begin(), by_index_.end(), &s,
                         [](const Signal* a, const Signal* b) { return a->name() < b->name(); }) -
        by_index_.begin());
  }
  write_value(s, idx);
}

void VcdWriter::close() {
  if (closed_) return;
  for (auto* s : signals_) s->remove_listener(this);
  closed_ = true;
  f_.commit();
}

// --- CSV ---------------------------------------------------------------------------------
static void csv_text(TraceFile& f, const std::string& v) {
  bool quote = v.find_first_of(",\"\n") != std::string::npos;
  if (!quote) {
    f.put(v);
    return;
  }
  f.put('"');
  for (char c : v) {
    if (c == '"') f.put('"');
    f.put(c);
  }
  f.put('"');
}

CsvWriter::CsvWriter(const std::string& path, const std::vector<Signal*>& signals) : TraceWriter(path) {
  for (auto* s : signals)
    if (s->type() != SignalType::Stream) signals_.push_back(s);
  f_.put("time_s");
  for (auto* s : signals_) {
    f_.put(',');
    f_.put(s->name());
    if (!s->unit().empty()) f_.put(" [" + s->unit() + "]");
  }
  f_.put('\n');
  for (std::size_t i = 0; i < signals_.size(); ++i) {
    index_[signals_[i]] = i;
    num_.push_back(signals_[i]->value());
    txt_.push_back(signals_[i]->type() == SignalType::Number ? std::string() : signals_[i]->render());
  }
  pending_t_ = 0;
  pending_ = true;
  for (auto* s : signals_) s->add_listener(this);
}

void CsvWriter::row() {
  // Time in seconds with picosecond precision, written exactly from the integer.
  std::uint64_t sec = pending_t_ / kSec, frac = pending_t_ % kSec;
  f_.put_u64(sec);
  f_.put('.');
  char b[13];
  for (int i = 11; i >= 0; --i) b[i] = static_cast<char>('0' + frac % 10), frac /= 10;
  f_.put(b, 12);
  for (std::size_t i = 0; i < signals_.size(); ++i) {
    f_.put(',');
    if (signals_[i]->type() == SignalType::Number)
      f_.put_double(num_[i]);
    else
      csv_text(f_, txt_[i]);
  }
  f_.put('\n');
}

void CsvWriter::on_change(const Signal& s, Time t) {
  if (closed_ || stopped_) return;
  // One row per timestamp, with the values as settled at that time.
  if (pending_ && t != pending_t_) {
    row();
    pending_ = false;
  }
  if (t != pending_t_ && !may_write(t)) return;
  pending_t_ = t;
  pending_ = true;
  std::size_t i = index_.at(&s);
  if (s.type() == SignalType::Number)
    num_[i] = s.value();
  else
    txt_[i] = s.render();
}

void CsvWriter::close() {
  if (closed_) return;
  if (pending_ && !stopped_) row();
  for (auto* s : signals_) s->remove_listener(this);
  closed_ = true;
  f_.commit();
}

// --- Recorder ----------------------------------------------------------------------------
void Recorder::attach(Signal& s, Time now) {
  if (find(s.name())) return;
  series_.push_back({&s, {static_cast<std::int64_t>(now)}, {s.value()}});
  s.add_listener(this);
}

void Recorder::on_change(const Signal& s, Time t) {
  for (auto& se : series_)
    if (se.sig == &s) {
      if (!se.t.empty() && se.t.back() == static_cast<std::int64_t>(t))
        se.v.back() = s.value();
      else {
        se.t.push_back(static_cast<std::int64_t>(t));
        se.v.push_back(s.value());
      }
      return;
    }
}

const Recorder::Series* Recorder::find(const std::string& name) const {
  for (const auto& se : series_)
    if (se.sig->name() == name) return &se;
  return nullptr;
}

// --- Stats -------------------------------------------------------------------------------
void Stats::attach(Signal& s) {
  if (s.type() != SignalType::Number) return;
  figs_.push_back({&s, s.value(), s.value()});
  s.add_listener(this);
}

void Stats::on_change(const Signal& s, Time) {
  for (auto& f : figs_)
    if (f.sig == &s) {
      f.min = std::min(f.min, s.value());
      f.max = std::max(f.max, s.value());
      return;
    }
}

}  // namespace lmsim
