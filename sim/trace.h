// Trace output for chosen signals: VCD (opens in GTKWave), CSV (one row per timestamp with a
// change, one column per signal), and an in-memory recorder (Python traces as arrays).
#pragma once
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/registry.h"

namespace lmsim {

// Buffered file output with our own number formatting (iostreams are too slow for traces).
class TraceFile {
 public:
  explicit TraceFile(const std::string& path);
  ~TraceFile();
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

 private:
  std::FILE* f_;
  char buf_[1 << 16];
  std::size_t len_ = 0;
  std::uint64_t total_ = 0;
};

class TraceWriter : public ChangeListener {
 public:
  ~TraceWriter() override;
  virtual void close() = 0;
  virtual std::uint64_t bytes() const = 0;
  static std::unique_ptr<TraceWriter> open(const std::string& path, const std::vector<Signal*>& signals,
                                           Time end_hint = 0);

 protected:
  std::vector<Signal*> signals_;
};

class VcdWriter : public TraceWriter {
 public:
  VcdWriter(const std::string& path, const std::vector<Signal*>& signals);
  void on_change(const Signal& s, Time t) override;
  void close() override;
  std::uint64_t bytes() const override { return f_.bytes(); }

 private:
  void write_value(const Signal& s, std::size_t idx);
  TraceFile f_;
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
  std::uint64_t bytes() const override { return f_.bytes(); }

 private:
  void row();
  TraceFile f_;
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
