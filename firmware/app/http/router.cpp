#include "app/http/router.h"

namespace lmc::http {

std::string_view PathParams::get(std::string_view name) const {
  for (std::size_t i = 0; i < count; ++i) {
    if (names[i] == name) return values[i];
  }
  return {};
}

bool match_pattern(std::string_view pattern, std::string_view path, PathParams& params) {
  params.count = 0;
  while (!pattern.empty()) {
    if (pattern == "*") {  // trailing wildcard: the rest of the path, possibly empty
      if (params.count == PathParams::kMax) return false;
      params.names[params.count] = "*";
      params.values[params.count++] = path;
      return true;
    }
    if (pattern.front() == ':') {
      // A parameter spans one non-empty segment.
      const std::size_t pend = pattern.find('/');
      const std::size_t send = path.find('/');
      const std::string_view value = path.substr(0, send);
      if (value.empty() || params.count == PathParams::kMax) return false;
      params.names[params.count] = pattern.substr(1, pend == std::string_view::npos ? pend : pend - 1);
      params.values[params.count++] = value;
      pattern.remove_prefix(pend == std::string_view::npos ? pattern.size() : pend);
      path.remove_prefix(send == std::string_view::npos ? path.size() : send);
      continue;
    }
    if (path.empty() || pattern.front() != path.front()) return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
  }
  return path.empty();
}

Router::Result Router::match(Method method, std::string_view path) const {
  Result r;
  const Method wanted = method == Method::kHead ? Method::kGet : method;
  for (std::size_t i = 0; i < count_; ++i) {
    PathParams p;
    if (!match_pattern(routes_[i].pattern, path, p)) continue;
    if (routes_[i].method == method || routes_[i].method == wanted) {
      r.match = Match::kFound;
      r.route = &routes_[i];
      r.params = p;
      return r;
    }
    r.match = Match::kMethodNotAllowed;
  }
  return r;
}

Router::Match Router::dispatch(const Request& request, ResponseWriter& out) const {
  const Result r = match(request.method, request.path);
  out.set_head_only(request.method == Method::kHead);
  if (r.match == Match::kFound) {
    r.route->handler(r.route->context, request, r.params, out);
    return r.match;
  }
  if (r.match == Match::kMethodNotAllowed) {
    // Allow lists the methods this path is served for (RFC 9110 §10.2.1).
    char allow[64];
    std::size_t n = 0;
    for (std::size_t i = 0; i < count_; ++i) {
      PathParams p;
      if (!match_pattern(routes_[i].pattern, request.path, p)) continue;
      const std::string_view name = method_name(routes_[i].method);
      if (n + name.size() + 2 > sizeof allow) break;
      if (n > 0) {
        allow[n++] = ',';
        allow[n++] = ' ';
      }
      for (char c : name) allow[n++] = c;
    }
    out.status(405).header("Allow", std::string_view(allow, n)).body("");
    return r.match;
  }
  out.status(404).body("");
  return r.match;
}

}  // namespace lmc::http
