#include "sim/ynode.h"

#include "sim/input_errors.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <unordered_set>

namespace lmsim {

struct YNodeBuilder {
  static YNode load_rec(const std::string& path, int depth, std::vector<std::string>& chain);
  // Aliases make yaml-cpp's tree a graph: '&a [*a]' is a cycle and nested aliases expand
  // exponentially ("billion laughs"). Bound the depth and the expanded size so such input is
  // an input error, not a stack overflow or an endless expansion.
  static constexpr int kMaxDepth = 256;
  static constexpr std::size_t kMaxNodes = 200000;  // far above any real scenario
  struct Budget {
    int depth = 0;
    std::size_t nodes = 0;
  };
  static YNode from_yaml(const YAML::Node& n, const std::string& file, const std::string& path) {
    Budget b;
    return from_yaml(n, file, path, b);
  }
  static YNode from_yaml(const YAML::Node& n, const std::string& file, const std::string& path, Budget& b) {
    YNode y;
    y.file_ = file;
    y.line_ = n.Mark().line + 1;
    y.path_ = path;
    if (b.depth >= kMaxDepth)
      y.fail("nested deeper than " + std::to_string(kMaxDepth) + " levels (a recursive alias?)");
    if (++b.nodes > kMaxNodes) y.fail("more than " + std::to_string(kMaxNodes) + " nodes after expanding aliases");
    struct Deeper {
      Budget& b;
      explicit Deeper(Budget& x) : b(x) { ++b.depth; }
      ~Deeper() { --b.depth; }
    } deeper(b);
    switch (n.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: y.kind_ = YNode::Kind::Null; break;
      case YAML::NodeType::Scalar:
        y.kind_ = YNode::Kind::Scalar;
        y.scalar_ = n.Scalar();
        break;
      case YAML::NodeType::Sequence: {
        y.kind_ = YNode::Kind::Seq;
        std::size_t i = 0;
        for (const auto& c : n) y.seq_.push_back(from_yaml(c, file, path + "[" + std::to_string(i++) + "]", b));
        break;
      }
      case YAML::NodeType::Map: {
        y.kind_ = YNode::Kind::Map;
        std::unordered_set<std::string> seen;
        for (const auto& kv : n) {
          if (!kv.first.IsScalar()) {
            YNode k = from_yaml(kv.first, file, path, b);
            k.fail("map keys must be plain words");
          }
          std::string key = kv.first.Scalar();
          if (!seen.insert(key).second) {  // a set: a map with 100k keys took 16 s comparing pairwise
            YNode k = from_yaml(kv.first, file, path, b);
            k.fail("duplicate key '" + key + "'");
          }
          y.map_.emplace_back(key, from_yaml(kv.second, file, path.empty() ? key : path + "." + key, b));
        }
        y.used_.assign(y.map_.size(), 0);
        break;
      }
    }
    return y;
  }
};

std::string YNode::where() const {
  // Appends rather than `":" + std::string`: GCC 12 at -O3 flags that concatenation with a
  // false -Wrestrict (GCC bug 105329).
  std::string s = file_;
  if (line_ > 0) s.append(":").append(std::to_string(line_));
  if (!path_.empty()) s.append(": field '").append(path_).append("'");
  return s;
}

void YNode::fail(const std::string& what) const {
  throw InputError(where() + ": " + what);
}

std::string origin_of(const YNode& n) {
  return n.where();
}

static YNode parse(const std::string& text, const std::string& origin) {
  try {
    return YNodeBuilder::from_yaml(YAML::Load(text), origin, "");
  } catch (const YAML::Exception& e) {
    throw InputError(origin + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                     ": YAML syntax error: " + e.msg);
  }
}

YNode YNode::load_string(const std::string& text, const std::string& origin) {
  YNode root = parse(text, origin);
  if (!root.is_map() && !root.is_null()) root.fail("a scenario must be a map of keys");
  return root;
}

static const std::vector<std::string> kDefaultable = {"stations", "evs", "loads"};

YNode YNodeBuilder::load_rec(const std::string& path, int depth, std::vector<std::string>& chain) {
  namespace fs = std::filesystem;
  if (depth > 16) throw InputError(path + ": include nesting deeper than 16 (a cycle?)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open scenario file");
  // Bounded read: a device such as /dev/zero never ends (it was std::bad_alloc, exit 4).
  constexpr std::size_t kMaxBytes = 64u << 20;
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxBytes) throw InputError(path + ": larger than 64 MiB: not a scenario file");
  }
  YNode root = YNode::load_string(text, path);
  if (root.is_null()) return root;
  const YNode* inc = root.get("include");
  if (!inc) return root;
  std::vector<const YNode*> files;
  if (inc->is_scalar())
    files.push_back(inc);
  else if (inc->is_seq())
    for (const auto& i : inc->items()) files.push_back(&i);
  else
    inc->fail("expected a file name or a list of file names");
  YNode merged;
  bool first = true;
  for (const auto* f : files) {
    fs::path p = fs::path(path).parent_path() / f->scalar();
    std::string ps = p.lexically_normal().string();
    for (const auto& c : chain)
      if (c == ps) f->fail("include cycle through '" + ps + "'");
    std::error_code ec;  // a name the file system refuses (too long, bad characters) is bad input
    if (!fs::exists(p, ec)) {
      if (ps.size() > 200) ps = ps.substr(0, 200) + "...";
      f->fail("included file '" + ps + "' " +
              (ec ? "cannot be opened: " + ec.message() : std::string("does not exist")));
    }
    chain.push_back(ps);
    YNode base;
    try {
      base = load_rec(ps, depth + 1, chain);
    } catch (const InputError& e) {
      // As compilers do: the error's own place, then where the file was included from (once).
      std::string msg = e.what();
      if (msg.find(" (included from ") == std::string::npos)
        msg += " (included from " + f->file() + ":" + std::to_string(f->line()) + ")";
      throw InputError(msg);
    }
    chain.pop_back();
    merged = first ? base : YNode::merge(merged, base);
    first = false;
  }
  // Drop our include key before merging so it does not linger.
  YNode self = root;
  YNode out;
  out.kind_ = YNode::Kind::Map;
  out.file_ = self.file_;
  out.line_ = self.line_;
  for (const auto& [k, v] : self.map_)
    if (k != "include") out.map_.emplace_back(k, v);
  out.used_.assign(out.map_.size(), 0);
  if (merged.is_null()) return out;
  YNode r = YNode::merge(merged, out);
  return r;
}

static void apply_defaults(YNode& root) {
  const YNode* d = root.get("defaults");
  if (!d) return;
  if (!d->is_map()) d->fail("expected a map of section: {key: value} defaults");
  YNode defs = *d;
  for (const auto& key : defs.keys()) {
    if (std::find(kDefaultable.begin(), kDefaultable.end(), key) == kDefaultable.end())
      defs[key].fail("defaults apply to 'stations', 'evs' or 'loads' only");
  }
  auto patch = [&](YNode& list, const YNode& def) {
    if (!list.is_seq()) return;
    for (auto& it : list.mutable_items()) {
      std::string p = it.path();
      it = YNode::merge(def, it);
      it.repath(p);
    }
  };
  for (const auto& key : defs.keys()) {
    const YNode& def = defs[key];
    if (!def.is_map()) def.fail("expected a map of default keys");
    if (key == "loads") {
      if (root.has("site")) {
        YNode site = root["site"];
        if (const YNode* l = site.get("loads")) {
          YNode ll = *l;
          patch(ll, def);
          site.set("loads", ll);
          root.set("site", site);
        }
      }
    } else if (const YNode* l = root.get(key)) {
      YNode ll = *l;
      patch(ll, def);
      root.set(key, ll);
    }
  }
}

YNode YNode::load_file(const std::string& path) {
  std::vector<std::string> chain{path};
  YNode root = YNodeBuilder::load_rec(path, 0, chain);
  // Line 1: an empty file (or one with only comments) has no better place to point at.
  if (root.is_null()) throw InputError(path + ":1: the scenario is empty");
  apply_defaults(root);
  // Reset usage marks: loading read some keys.
  std::function<void(YNode&)> reset;
  reset = [&](YNode& n) {
    n.used_.assign(n.map_.size(), 0);
    for (auto& [k, v] : n.map_) reset(v);
    for (auto& v : n.seq_) reset(v);
  };
  reset(root);
  return root;
}

const std::string& YNode::scalar() const {
  if (kind_ != Kind::Scalar) fail(kind_ == Kind::Null ? "a value is missing" : "expected a single value");
  return scalar_;
}

double YNode::number() const {
  auto q = parse_quantity(scalar());
  if (!q || !q->unit.empty()) fail("expected a number, got '" + scalar_ + "'");
  return q->value;
}

long long YNode::integer() const {
  double v = number();
  if (v != std::floor(v) || std::fabs(v) > 9e15) fail("expected a whole number, got '" + scalar_ + "'");
  return static_cast<long long>(v);
}

bool YNode::boolean() const {
  const auto& s = scalar();
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  fail("expected true or false, got '" + s + "'");
}

Quantity YNode::quantity(const std::string& unit) const {
  const auto& s = scalar();
  auto q = parse_quantity(s);
  if (!q) fail("expected a " + describe_unit(unit) + ", got '" + s + "'");
  if (q->unit != unit) {
    if (q->unit.empty() && unit.empty()) return *q;
    fail("expected a " + describe_unit(unit) + ", got '" + s + "'" +
         (q->unit.empty() ? " (a unit is required)" : " (a " + describe_unit(q->unit) + ")"));
  }
  return *q;
}

Time YNode::duration() const {
  // Compound ("3h10min") and ISO 8601 ("PT3H10M") forms; plain quantities go on below.
  const auto& txt = scalar();
  if (!parse_quantity(txt)) {
    if (auto t = parse_duration(txt)) return *t;
    fail("expected a duration such as 90s, 3h10min or PT3H10M, got '" + txt + "'");
  }
  auto q = quantity("s");
  if (q.value < 0) fail("a duration cannot be negative");
  if (q.value > time_to_seconds(kMaxTime)) fail("a duration cannot exceed 100 days (the longest simulated time)");
  return seconds_to_time(q.value);
}

namespace {
thread_local InputErrors* g_errors = nullptr;
}

InputErrors::InputErrors() : prev_(g_errors) {
  g_errors = this;
}
InputErrors::~InputErrors() {
  g_errors = prev_;
}
InputErrors* InputErrors::active() {
  return g_errors;
}
void InputErrors::add(std::string msg) {
  if (std::find(list_.begin(), list_.end(), msg) == list_.end()) list_.push_back(std::move(msg));
}
void InputErrors::note_asked(const YNode* map, const std::string& key) {
  auto& v = asked_[map];
  if (std::find(v.begin(), v.end(), key) == v.end()) v.push_back(key);
}
const std::vector<std::string>* InputErrors::asked(const YNode* map) const {
  auto it = asked_.find(map);
  return it == asked_.end() ? nullptr : &it->second;
}
void InputErrors::throw_if_any() const {
  if (list_.empty()) return;
  std::string all = list_[0];
  for (std::size_t i = 1; i < list_.size(); ++i) all += "\n" + list_[i];
  if (list_.size() > 1) all += "\n(" + std::to_string(list_.size()) + " errors)";
  throw InputError(all);
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;  // a typo, not another word
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) best_d = d, best = c;
  }
  return best;
}

static void unknown_key(const YNode& v, const std::string& key, const std::vector<std::string>& valid) {
  std::string msg = v.file() + ":" + std::to_string(v.line()) + ": field '" + v.path() + "': unknown key '" + key + "'";
  std::string guess = did_you_mean(key, valid);
  if (!guess.empty()) msg += " (did you mean '" + guess + "'?)";
  if (!valid.empty()) {
    msg += "; valid here: ";
    for (std::size_t i = 0; i < valid.size(); ++i) msg += (i ? ", " : "") + valid[i];
  }
  if (InputErrors* e = InputErrors::active())
    e->add(msg);
  else
    throw InputError(msg);
}

bool YNode::has(const std::string& key) const {
  return get(key) != nullptr;
}

const YNode* YNode::get(const std::string& key) const {
  if (kind_ != Kind::Map) return nullptr;
  if (InputErrors* e = InputErrors::active()) e->note_asked(this, key);
  for (std::size_t i = 0; i < map_.size(); ++i)
    if (map_[i].first == key) {
      if (used_.size() == map_.size()) used_[i] = 1;
      return &map_[i].second;
    }
  return nullptr;
}

const YNode& YNode::operator[](const std::string& key) const {
  if (kind_ != Kind::Map) fail("expected a map with key '" + key + "'");
  if (const YNode* n = get(key)) return *n;
  fail("required key '" + key + "' is missing");
}

std::vector<std::string> YNode::keys() const {
  std::vector<std::string> k;
  for (const auto& [kk, v] : map_) k.push_back(kk);
  return k;
}

void YNode::finish() const {
  if (kind_ != Kind::Map) return;
  for (std::size_t i = 0; i < map_.size(); ++i) {
    if (used_.size() == map_.size() && used_[i]) continue;
    // The valid keys: those readers asked for (known while InputErrors is active), otherwise
    // the ones present and read.
    std::vector<std::string> valid;
    const InputErrors* e = InputErrors::active();
    if (const auto* a = e ? e->asked(this) : nullptr)
      valid = *a;
    else
      for (std::size_t j = 0; j < map_.size(); ++j)
        if (used_.size() == map_.size() && used_[j]) valid.push_back(map_[j].first);
    unknown_key(map_[i].second, map_[i].first, valid);
  }
}

void YNode::allow_only(const std::vector<std::string>& keys) const {
  if (kind_ != Kind::Map) fail("expected a map");
  for (const auto& [k, v] : map_)
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) unknown_key(v, k, keys);
  for (const auto& k : keys) get(k);
}

const std::vector<YNode>& YNode::items() const {
  static const std::vector<YNode> empty;
  if (kind_ == Kind::Null) return empty;
  if (kind_ != Kind::Seq) fail("expected a list");
  return seq_;
}

std::size_t YNode::size() const {
  return kind_ == Kind::Seq ? seq_.size() : kind_ == Kind::Map ? map_.size() : 0;
}

std::string YNode::str_or(const std::string& key, const std::string& def) const {
  const YNode* n = get(key);
  return n ? n->scalar() : def;
}
double YNode::num_or(const std::string& key, double def) const {
  const YNode* n = get(key);
  return n ? n->number() : def;
}
bool YNode::bool_or(const std::string& key, bool def) const {
  const YNode* n = get(key);
  return n ? n->boolean() : def;
}
double YNode::qty_or(const std::string& key, const std::string& unit, double def) const {
  const YNode* n = get(key);
  return n ? n->quantity(unit).value : def;
}
Time YNode::dur_or(const std::string& key, Time def) const {
  const YNode* n = get(key);
  return n ? n->duration() : def;
}

YNode YNode::make_scalar(std::string v, std::string file, int line, std::string path) {
  YNode y;
  y.kind_ = Kind::Scalar;
  y.scalar_ = std::move(v);
  y.file_ = std::move(file);
  y.line_ = line;
  y.path_ = std::move(path);
  return y;
}

void YNode::set(const std::string& key, YNode v) {
  if (kind_ == Kind::Null) kind_ = Kind::Map;
  if (kind_ != Kind::Map) fail("cannot set key '" + key + "' on a non-map");
  for (auto& [k, old] : map_)
    if (k == key) {
      old = std::move(v);
      return;
    }
  map_.emplace_back(key, std::move(v));
  used_.resize(map_.size(), 0);
}

YNode YNode::merge(const YNode& base, const YNode& over) {
  if (base.kind_ != Kind::Map || over.kind_ != Kind::Map)
    return over.kind_ == Kind::Null && base.kind_ != Kind::Null && over.line_ == 0 ? base : over;
  YNode r = base;
  r.file_ = over.file_;
  r.line_ = over.line_;
  r.path_ = over.path_;
  for (const auto& [k, v] : over.map_) {
    bool found = false;
    for (auto& [rk, rv] : r.map_)
      if (rk == k) {
        rv = merge(rv, v);
        found = true;
      }
    if (!found) r.map_.emplace_back(k, v);
  }
  r.used_.assign(r.map_.size(), 0);
  return r;
}

void YNode::repath(const std::string& path) {
  path_ = path;
  for (auto& [k, v] : map_) v.repath(path.empty() ? k : path + "." + k);
  for (std::size_t i = 0; i < seq_.size(); ++i) seq_[i].repath(path + "[" + std::to_string(i) + "]");
}

static void dump_rec(const YNode& n, YAML::Emitter& e) {
  switch (n.kind()) {
    case YNode::Kind::Null: e << YAML::Null; break;
    case YNode::Kind::Scalar: e << YAML::DoubleQuoted << n.scalar(); break;
    case YNode::Kind::Seq:
      e << YAML::BeginSeq;
      for (const auto& i : n.items()) dump_rec(i, e);
      e << YAML::EndSeq;
      break;
    case YNode::Kind::Map:
      e << YAML::BeginMap;
      for (const auto& [k, v] : n.entries()) {
        e << YAML::Key << k << YAML::Value;
        dump_rec(v, e);
      }
      e << YAML::EndMap;
      break;
  }
}

std::string YNode::dump() const {
  YAML::Emitter e;
  dump_rec(*this, e);
  return e.c_str();
}

}  // namespace lmsim
