// Conditions over registry signals, as written in scenarios and passed from Python:
//   "site.fuse.L1.current <= 40A", "station.abb1.state == C && !net.wifi.up",
//   "abs(site.grid.L1.power - 1kW) < 50W", "device.uart0.tx contains 'boot ok'".
// Compiled once against the registry (names, types and units checked, with the origin in
// every error), then evaluated cheaply on every change of the signals it reads.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/registry.h"

namespace lmsim {

class Expr {
 public:
  struct Node;
  // Throws InputError("<origin>: ...") for syntax, unknown signals (with a suggestion), type or
  // unit mismatches.
  // A name that is not a signal may be a constant: a scenario parameter or setting such as
  // "site.main_fuse.rating" (`consts` returns its value, nullopt when it is none).
  using Constants = std::function<std::optional<Quantity>(const std::string& name)>;
  static Expr compile(const std::string& text, const Registry& reg, const std::string& origin,
                      const Constants& consts = {});

  Expr();
  ~Expr();
  Expr(Expr&&) noexcept;
  Expr& operator=(Expr&&) noexcept;

  bool test() const;          // the condition's truth value
  bool is_condition() const;  // true/false valued (comparison, and/or/not, bool signal)
  double value() const;       // numeric value (bool 0/1)
  const std::string& text() const { return text_; }
  const std::string& unit() const;
  // Signals read by the expression (deduplicated): subscribe to these.
  const std::vector<Signal*>& reads() const { return reads_; }
  // "site.fuse.L1.current = 41.2 A, site.x = true" for failure messages.
  std::string describe_values() const;

 private:
  std::unique_ptr<Node> root_;
  std::string text_;
  std::vector<Signal*> reads_;
};

}  // namespace lmsim
