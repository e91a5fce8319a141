// A small request router: method + path pattern with parameters ("/v1/stations/:id") and a
// trailing wildcard ("/assets/*"). HEAD is served by the GET route. Unmatched paths get 404,
// a path served only for other methods gets 405 with Allow (RFC 9110 §15.5.6).
#pragma once
#include <cstddef>
#include <string_view>

#include "app/http/message.h"
#include "app/http/message_writer.h"
#include "app/http/request_parser.h"

namespace lmc::http {

struct PathParams {
  static constexpr std::size_t kMax = 4;
  std::string_view names[kMax];
  std::string_view values[kMax];  // raw (still percent-encoded)
  std::size_t count = 0;
  std::string_view get(std::string_view name) const;  // empty when absent
};

using Handler = void (*)(void* context, const Request& request, const PathParams& params, ResponseWriter& out);

struct Route {
  Method method;
  std::string_view pattern;
  Handler handler;
  void* context = nullptr;
};

class Router {
 public:
  Router(const Route* routes, std::size_t count) : routes_(routes), count_(count) {}

  enum class Match { kFound, kNotFound, kMethodNotAllowed };
  struct Result {
    Match match = Match::kNotFound;
    const Route* route = nullptr;
    PathParams params;
  };
  Result match(Method method, std::string_view path) const;

  // Calls the matching handler (head-only writer for HEAD), or answers 404/405 itself.
  // Returns the Match.
  Match dispatch(const Request& request, ResponseWriter& out) const;

 private:
  const Route* routes_;
  std::size_t count_;
};

// Matches one pattern against a path; fills params. Exposed for tests.
bool match_pattern(std::string_view pattern, std::string_view path, PathParams& params);

}  // namespace lmc::http
