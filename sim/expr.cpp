#include "sim/expr.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "sim/ynode.h"

namespace lmsim {

// Static type of a sub-expression.
enum class VType { Num, Bool, Enum, Str };

struct Expr::Node {
  VType type = VType::Num;
  std::string unit;                 // for Num
  const Signal* enum_of = nullptr;  // for Enum: the signal whose states apply
  virtual ~Node() = default;
  virtual double num() const = 0;                 // Num, Bool (0/1), Enum (index)
  virtual std::string str() const { return {}; }  // Str
};

namespace {

struct Lit : Expr::Node {
  double v;
  explicit Lit(double x) : v(x) {}
  double num() const override { return v; }
};
struct StrLit : Expr::Node {
  std::string s;
  explicit StrLit(std::string x) : s(std::move(x)) { type = VType::Str; }
  double num() const override { return 0; }
  std::string str() const override { return s; }
};
// An identifier that is not a signal: resolved as an enum state when compared to an enum.
struct StateName : Expr::Node {
  std::string name;
  double index = -1;
  explicit StateName(std::string n) : name(std::move(n)) {}
  double num() const override { return index; }
};
struct Sig : Expr::Node {
  const Signal* s;
  explicit Sig(const Signal* x) : s(x) {
    switch (s->type()) {
      case SignalType::Number: type = VType::Num, unit = s->unit(); break;
      case SignalType::Bool: type = VType::Bool; break;
      case SignalType::Enum: type = VType::Enum, enum_of = s; break;
      case SignalType::String:
      case SignalType::Stream: type = VType::Str; break;
    }
  }
  double num() const override { return s->value(); }
  std::string str() const override { return s->text(); }
};
using NodeP = std::unique_ptr<Expr::Node>;

enum class Op { Add, Sub, Mul, Div, Lt, Le, Gt, Ge, Eq, Ne, And, Or, Contains };

struct Bin : Expr::Node {
  Op op;
  NodeP a, b;
  Bin(Op o, NodeP x, NodeP y) : op(o), a(std::move(x)), b(std::move(y)) {}
  double num() const override {
    switch (op) {
      case Op::Add: return a->num() + b->num();
      case Op::Sub: return a->num() - b->num();
      case Op::Mul: return a->num() * b->num();
      case Op::Div: return a->num() / b->num();
      case Op::Lt: return a->num() < b->num();
      case Op::Le: return a->num() <= b->num();
      case Op::Gt: return a->num() > b->num();
      case Op::Ge: return a->num() >= b->num();
      case Op::Eq:
        if (a->type == VType::Str) return a->str() == b->str();
        return a->num() == b->num();
      case Op::Ne:
        if (a->type == VType::Str) return a->str() != b->str();
        return a->num() != b->num();
      case Op::And: return a->num() != 0 && b->num() != 0;
      case Op::Or: return a->num() != 0 || b->num() != 0;
      case Op::Contains: return a->str().find(b->str()) != std::string::npos;
    }
    return 0;
  }
};
struct Not : Expr::Node {
  NodeP a;
  explicit Not(NodeP x) : a(std::move(x)) { type = VType::Bool; }
  double num() const override { return a->num() == 0; }
};
struct Neg : Expr::Node {
  NodeP a;
  explicit Neg(NodeP x) : a(std::move(x)) { unit = a->unit; }
  double num() const override { return -a->num(); }
};
struct Fn : Expr::Node {
  std::string name;
  std::vector<NodeP> args;
  double num() const override {
    if (name == "abs") return std::fabs(args[0]->num());
    if (name == "min") return std::min(args[0]->num(), args[1]->num());
    if (name == "max") return std::max(args[0]->num(), args[1]->num());
    return 0;
  }
};

class Parser {
 public:
  Parser(const std::string& t, const Registry& r, const std::string& o, std::vector<Signal*>& reads,
         const Expr::Constants& consts)
      : s_(t), reg_(r), origin_(o), reads_(reads), consts_(consts) {}

  NodeP parse() {
    auto n = parse_or();
    skip();
    if (pos_ != s_.size()) fail("unexpected '" + s_.substr(pos_) + "'");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& m) const {
    throw InputError(origin_ + ": in condition \"" + s_ + "\": " + m);
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(const char* tok) {
    skip();
    std::size_t n = std::char_traits<char>::length(tok);
    if (s_.compare(pos_, n, tok) != 0) return false;
    // Word operators must not run into an identifier.
    if (std::isalpha(static_cast<unsigned char>(tok[0])) && pos_ + n < s_.size() &&
        (std::isalnum(static_cast<unsigned char>(s_[pos_ + n])) || s_[pos_ + n] == '_'))
      return false;
    pos_ += n;
    return true;
  }
  static const char* tname(const Expr::Node& n) {
    switch (n.type) {
      case VType::Num: return "number";
      case VType::Bool: return "bool";
      case VType::Enum: return "enum";
      case VType::Str: return "text";
    }
    return "?";
  }
  std::string desc(const Expr::Node& n) const {
    if (n.type == VType::Num) return n.unit.empty() ? "a plain number" : "a " + describe_unit(n.unit);
    return std::string("a ") + tname(n);
  }
  void need_bool(const Expr::Node& n, const char* what) const {
    if (n.type != VType::Bool) fail(std::string(what) + " needs a condition, got " + desc(n));
  }

  NodeP parse_or() {
    auto a = parse_and();
    while (eat("||") || eat("or")) {
      auto b = parse_and();
      need_bool(*a, "'or'");
      need_bool(*b, "'or'");
      a = std::make_unique<Bin>(Op::Or, std::move(a), std::move(b));
      a->type = VType::Bool;
    }
    return a;
  }
  NodeP parse_and() {
    auto a = parse_not();
    while (eat("&&") || eat("and")) {
      auto b = parse_not();
      need_bool(*a, "'and'");
      need_bool(*b, "'and'");
      a = std::make_unique<Bin>(Op::And, std::move(a), std::move(b));
      a->type = VType::Bool;
    }
    return a;
  }
  NodeP parse_not() {
    skip();
    if (pos_ < s_.size() && s_[pos_] == '!' && (pos_ + 1 >= s_.size() || s_[pos_ + 1] != '=')) {
      ++pos_;
      auto a = parse_not();
      need_bool(*a, "'!'");
      return std::make_unique<Not>(std::move(a));
    }
    if (eat("not")) {
      auto a = parse_not();
      need_bool(*a, "'not'");
      return std::make_unique<Not>(std::move(a));
    }
    return parse_cmp();
  }
  NodeP parse_cmp() {
    auto a = parse_sum();
    static const std::pair<const char*, Op> ops[] = {{"<=", Op::Le},
                                                     {">=", Op::Ge},
                                                     {"==", Op::Eq},
                                                     {"!=", Op::Ne},
                                                     {"<", Op::Lt},
                                                     {">", Op::Gt},
                                                     {"contains", Op::Contains}};
    for (const auto& [tok, op] : ops) {
      if (!eat(tok)) continue;
      auto b = parse_sum();
      check_cmp(op, *a, *b);
      auto n = std::make_unique<Bin>(op, std::move(a), std::move(b));
      n->type = VType::Bool;
      return n;
    }
    return a;
  }
  void resolve_state(Expr::Node& maybe_state, const Expr::Node& other) {
    auto* st = dynamic_cast<StateName*>(&maybe_state);
    if (!st) return;
    if (other.type != VType::Enum) fail("unknown signal '" + st->name + "'" + suggestion(st->name));
    int i = other.enum_of->state_index(st->name);
    if (i < 0) {
      std::string all;
      for (const auto& x : other.enum_of->states()) all += (all.empty() ? "" : ", ") + x;
      fail("'" + other.enum_of->name() + "' has no state '" + st->name + "' (states: " + all + ")");
    }
    st->index = i;
    st->type = VType::Enum;
    st->enum_of = other.enum_of;
  }
  void check_cmp(Op op, Expr::Node& a, Expr::Node& b) {
    resolve_state(a, b);
    resolve_state(b, a);
    if (op == Op::Contains) {
      if (a.type != VType::Str || b.type != VType::Str) fail("'contains' compares text with text");
      return;
    }
    if (a.type != b.type) fail("cannot compare " + desc(a) + " with " + desc(b));
    if (a.type == VType::Str || a.type == VType::Bool || a.type == VType::Enum) {
      if (op != Op::Eq && op != Op::Ne) fail(std::string("only == and != apply to a ") + tname(a));
      return;
    }
    unit_match(a, b, "compare");
  }
  void unit_match(Expr::Node& a, Expr::Node& b, const char* verb) {
    if (a.unit == b.unit) return;
    // A bare 0 fits any unit ("site.power > 0").
    auto zero = [](const Expr::Node& n) {
      auto* l = dynamic_cast<const Lit*>(&n);
      return l && l->v == 0 && n.unit.empty();
    };
    if (zero(a) || zero(b)) return;
    fail(std::string("cannot ") + verb + " " + desc(a) + " and " + desc(b) +
         (a.unit.empty() || b.unit.empty() ? " (write the unit, e.g. 40A)" : ""));
  }
  NodeP parse_sum() {
    auto a = parse_prod();
    for (;;) {
      Op op;
      if (eat("+"))
        op = Op::Add;
      else if (eat("-"))
        op = Op::Sub;
      else
        return a;
      auto b = parse_prod();
      if (a->type != VType::Num || b->type != VType::Num) fail("+ and - need numbers");
      unit_match(*a, *b, "add");
      std::string u = a->unit.empty() ? b->unit : a->unit;
      a = std::make_unique<Bin>(op, std::move(a), std::move(b));
      a->unit = u;
    }
  }
  NodeP parse_prod() {
    auto a = parse_unary();
    for (;;) {
      Op op;
      if (eat("*"))
        op = Op::Mul;
      else if (eat("/"))
        op = Op::Div;
      else
        return a;
      auto b = parse_unary();
      if (a->type != VType::Num || b->type != VType::Num) fail("* and / need numbers");
      std::string u;
      if (op == Op::Div && a->unit == b->unit)
        u = "";
      else if (b->unit.empty())
        u = a->unit;
      else if (a->unit.empty() && op == Op::Mul)
        u = b->unit;
      else
        fail("products of units are not supported (" + desc(*a) + ", " + desc(*b) + ")");
      a = std::make_unique<Bin>(op, std::move(a), std::move(b));
      a->unit = u;
    }
  }
  NodeP parse_unary() {
    if (eat("-")) {
      auto a = parse_unary();
      if (a->type != VType::Num) fail("'-' needs a number");
      return std::make_unique<Neg>(std::move(a));
    }
    return parse_primary();
  }
  std::string suggestion(const std::string& name) const {
    try {
      (void)reg_.at(name);
    } catch (const SignalError& e) {
      std::string m = e.what();
      auto p = m.find(" (did you mean");
      return p == std::string::npos ? "" : m.substr(p);
    }
    return "";
  }
  NodeP parse_primary() {
    skip();
    if (pos_ >= s_.size()) fail("expression ends too early");
    char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      auto a = parse_or();
      if (!eat(")")) fail("missing ')'");
      return a;
    }
    if (c == '\'' || c == '"') {
      std::size_t end = s_.find(c, pos_ + 1);
      if (end == std::string::npos) fail("unterminated text literal");
      auto n = std::make_unique<StrLit>(s_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      std::size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.' || s_[pos_] == '%' ||
              ((s_[pos_] == '-' || s_[pos_] == '+') && (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E'))))
        ++pos_;
      std::string tok = s_.substr(start, pos_ - start);
      auto q = parse_quantity(tok);
      if (!q) fail("'" + tok + "' is not a number with a known unit");
      auto n = std::make_unique<Lit>(q->value);
      n->unit = q->unit;
      return n;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t start = pos_;
      while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
                                  s_[pos_] == '.' || s_[pos_] == '-'))
        ++pos_;
      std::string id = s_.substr(start, pos_ - start);
      while (!id.empty() && (id.back() == '.' || id.back() == '-')) id.pop_back(), --pos_;
      if (id == "true" || id == "false") {
        auto n = std::make_unique<Lit>(id == "true" ? 1 : 0);
        n->type = VType::Bool;
        return n;
      }
      skip();
      if (pos_ < s_.size() && s_[pos_] == '(' && (id == "abs" || id == "min" || id == "max")) {
        ++pos_;
        auto f = std::make_unique<Fn>();
        f->name = id;
        std::size_t want = id == "abs" ? 1 : 2;
        for (std::size_t i = 0; i < want; ++i) {
          if (i > 0 && !eat(",")) fail(id + "() takes " + std::to_string(want) + " arguments");
          auto a = parse_or();
          if (a->type != VType::Num) fail(id + "() needs numbers");
          f->args.push_back(std::move(a));
        }
        if (!eat(")")) fail("missing ')' after " + id + "(");
        f->unit = f->args[0]->unit;
        if (want == 2) unit_match(*f->args[0], *f->args[1], "mix");
        return f;
      }
      if (const Signal* s = reg_.find(id)) {
        if (std::find(reads_.begin(), reads_.end(), s) == reads_.end()) reads_.push_back(const_cast<Signal*>(s));
        return std::make_unique<Sig>(s);
      }
      // Dotted names only: a bare word compared to an enum is a state name.
      if (consts_ && id.find('.') != std::string::npos)
        if (auto q = consts_(id)) {
          auto n = std::make_unique<Lit>(q->value);
          n->unit = q->unit;
          return n;
        }
      return std::make_unique<StateName>(id);
    }
    fail(std::string("unexpected '") + c + "'");
  }

  std::string s_;
  const Registry& reg_;
  std::string origin_;
  std::vector<Signal*>& reads_;
  const Expr::Constants& consts_;
  std::size_t pos_ = 0;
};

}  // namespace

Expr::Expr() = default;
Expr::~Expr() = default;
Expr::Expr(Expr&&) noexcept = default;
Expr& Expr::operator=(Expr&&) noexcept = default;

Expr Expr::compile(const std::string& text, const Registry& reg, const std::string& origin, const Constants& consts) {
  Expr e;
  e.text_ = text;
  Parser p(text, reg, origin, e.reads_, consts);
  e.root_ = p.parse();
  if (auto* st = dynamic_cast<StateName*>(e.root_.get()))
    throw InputError(origin + ": in condition \"" + text + "\": unknown signal '" + st->name + "'");
  return e;
}

bool Expr::test() const {
  return root_->num() != 0;
}
bool Expr::is_condition() const {
  return root_->type == VType::Bool;
}
double Expr::value() const {
  return root_->num();
}
const std::string& Expr::unit() const {
  return root_->unit;
}

std::string Expr::describe_values() const {
  std::string out;
  for (const auto* s : reads_) {
    if (!out.empty()) out += ", ";
    std::string v = s->render();
    if (s->type() == SignalType::Stream && v.size() > 60) v = "..." + v.substr(v.size() - 60);
    out += s->name() + " = " + v;
    if (!s->unit().empty()) out += " " + s->unit();
  }
  return out;
}

}  // namespace lmsim
