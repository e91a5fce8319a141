// Trace output for chosen signals: VCD (opens in GTKWave), CSV (one row per timestamp with a
// change, one column per signal), and an in-memory recorder (Python traces as arrays).
#pragma once
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/output_file.h"
#include "sim/registry.h"

namespace lmsim {

// Buffered file output with our own number formatting (iostreams are too slow for traces).
// Written under a temporary name; commit() renames it into place (see StreamFile).
class TraceFile {
 public:
  explicit TraceFile(const std::string& path) : file_(path, "trace") {}
  void put(const char* s, std::size_t n);
  void put(const std::string& s) { put(s.data(), s.size()); }
  void put(char c) {
    if (len_ == sizeof buf_) flush();
    buf_[len_++] = c;
  }
  void put_u64(std::uint64_t v);
  void put_double(double v);
  void flush();
  std::uint64_t bytes() const { return total_ + len_; }
  bool failed() const { return file_.failed(); }
  const std::string& error() const { return file_.error(); }
  const std::string& path() const { return file_.path(); }
  void commit() {
    flush();
    file_.commit();
  }

 private:
  StreamFile file_;
  char buf_[1 << 16];
  std::size_t len_ = 0;
  std::uint64_t total_ = 0;
};

// Tracing stops cleanly (after the last complete time step) when the file reaches `limit`
// bytes or a write fails; the run goes on. close() commits the file and throws OutputError
// when it could not be written completely.
class TraceWriter : public ChangeListener {
 public:
  explicit TraceWriter(const std::string& path) : f_(path) {}
  ~TraceWriter() override;
  virtual void close() = 0;
  std::uint64_t bytes() const { return f_.bytes(); }
  const std::string& path() const { return f_.path(); }
  bool failed() const { return f_.failed(); }
  const std::string& error() const { return f_.error(); }
  void set_limit(std::uint64_t bytes) { limit_ = bytes; }
  std::uint64_t limit() const { return limit_; }
  // The first time step not written because of the limit.
  bool limit_reached() const { return limit_reached_; }
  Time stopped_at() const { return stopped_at_; }
  static std::unique_ptr<TraceWriter> open(const std::string& path, const std::vector<Signal*>& signals);

 protected:
  // At the start of a new time step: false when tracing has stopped (limit or failed write).
  bool may_write(Time t);
  TraceFile f_;
  std::vector<Signal*> signals_;
  std::uint64_t limit_ = ~std::uint64_t{0};
  bool limit_reached_ = false, stopped_ = false;
  Time stopped_at_ = 0;
};

class VcdWriter : public TraceWriter {
 public:
  VcdWriter(const std::string& path, const std::vector<Signal*>& signals);
  void on_change(const Signal& s, Time t) override;
  void close() override;

 private:
  void write_value(const Signal& s, std::size_t idx);
  std::vector<std::string> ids_;
  std::vector<const Signal*> by_index_;
  Time last_t_ = ~Time{0};
  bool closed_ = false;
};

class CsvWriter : public TraceWriter {
 public:
  CsvWriter(const std::string& path, const std::vector<Signal*>& signals);
  void on_change(const Signal& s, Time t) override;
  void close() override;

 private:
  void row();
  // Values as of pending_t_: the row is written when time moves on, after the signal changed.
  std::vector<double> num_;
  std::vector<std::string> txt_;
  std::unordered_map<const Signal*, std::size_t> index_;
  Time pending_t_ = 0;
  bool pending_ = false;
  bool closed_ = false;
};

// Keeps (time, value) pairs per signal in memory; first sample is the value at attach time.
class Recorder : public ChangeListener {
 public:
  struct Series {
    const Signal* sig;
    std::vector<std::int64_t> t;  // ps
    std::vector<double> v;
  };
  void attach(Signal& s, Time now);
  void on_change(const Signal& s, Time t) override;
  const std::vector<Series>& series() const { return series_; }
  const Series* find(const std::string& name) const;

 private:
  std::vector<Series> series_;
};

// Min, max and final value of selected number signals (the run's key figures).
class Stats : public ChangeListener {
 public:
  struct Fig {
    const Signal* sig;
    double min, max;
  };
  void attach(Signal& s);
  void on_change(const Signal& s, Time t) override;
  const std::vector<Fig>& figures() const { return figs_; }

 private:
  std::vector<Fig> figs_;
};

}  // namespace lmsim
