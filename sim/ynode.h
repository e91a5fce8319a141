// A YAML tree that remembers, for every node, the file and line it came from, so that
// every error in a scenario (also after `include` merges and `defaults`) names its origin.
// Built on yaml-cpp; readers consume keys and `finish()` reports every key nobody read.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/units.h"

namespace lmsim {

// Errors in user input (scenario, CLI values). Exit code 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class YNode {
 public:
  enum class Kind { Null, Scalar, Map, Seq };

  static YNode load_file(const std::string& path);  // with `include` resolved
  static YNode load_string(const std::string& text, const std::string& origin = "<string>");

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_map() const { return kind_ == Kind::Map; }
  bool is_seq() const { return kind_ == Kind::Seq; }
  bool is_scalar() const { return kind_ == Kind::Scalar; }
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  // Dotted path from the document root, e.g. "stations[1].model".
  const std::string& path() const { return path_; }
  // "scenarios/x.yaml:12: field 'site.main_fuse.rating'"
  std::string where() const;
  [[noreturn]] void fail(const std::string& what) const;

  // Scalars
  const std::string& scalar() const;  // fails unless scalar
  std::string str() const { return scalar(); }
  double number() const;
  long long integer() const;
  bool boolean() const;
  Quantity quantity(const std::string& unit) const;  // checks the unit ("" = plain number)
  double quantity_value(const std::string& unit) const { return quantity(unit).value; }
  Time duration() const;

  // Maps: reading marks keys as used.
  bool has(const std::string& key) const;
  const YNode& operator[](const std::string& key) const;  // fails if missing
  const YNode* get(const std::string& key) const;         // nullptr if missing
  std::vector<std::string> keys() const;                  // in document order
  // Fails on the first key that was never read, naming it and listing the allowed ones.
  void finish() const;
  // Same, with an explicit allow-list (keys read elsewhere).
  void allow_only(const std::vector<std::string>& keys) const;

  // Sequences (a scalar or map where a list is expected is a list of one? no: an error).
  const std::vector<YNode>& items() const;
  std::vector<YNode>& mutable_items() { return seq_; }
  // Raw entries without marking them read (dumping, listing).
  const std::vector<std::pair<std::string, YNode>>& entries() const { return map_; }
  std::size_t size() const;

  // Convenience with defaults.
  std::string str_or(const std::string& key, const std::string& def) const;
  double num_or(const std::string& key, double def) const;
  bool bool_or(const std::string& key, bool def) const;
  double qty_or(const std::string& key, const std::string& unit, double def) const;
  Time dur_or(const std::string& key, Time def) const;

  // Building (used by loader and tests).
  static YNode make_scalar(std::string v, std::string file, int line, std::string path);
  void set(const std::string& key, YNode v);
  // Deep merge: `over` wins; maps merge key by key, everything else replaces.
  static YNode merge(const YNode& base, const YNode& over);
  void repath(const std::string& path);
  // Serialises back to YAML (for result.json provenance and child processes).
  std::string dump() const;

 private:
  Kind kind_ = Kind::Null;
  std::string file_;
  int line_ = 0;
  std::string path_;
  std::string scalar_;
  std::vector<std::pair<std::string, YNode>> map_;
  std::vector<YNode> seq_;
  mutable std::vector<char> used_;  // parallel to map_: key was read

  friend struct YNodeBuilder;
};

// A scalar that names its origin: for messages built outside a YNode.
std::string origin_of(const YNode& n);

}  // namespace lmsim
