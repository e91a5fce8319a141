// A site in a child process. SystemC elaborates once per process, so front ends that run
// many scenarios in one process (Python, pytest) fork one child per site and drive it over a
// socketpair with small JSON requests (plus raw arrays for traces). The child runs only C++.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/session.h"

namespace lmsim {

// Raised in the parent for errors reported by the child; `kind` is "input", "signal",
// "internal" or "died".
struct HostError : std::runtime_error {
  HostError(std::string k, const std::string& m) : std::runtime_error(m), kind(std::move(k)) {}
  std::string kind;
};

class SiteHost {
 public:
  explicit SiteHost(const SessionOptions& opt);  // throws HostError("input", ...) on a bad scenario
  ~SiteHost();
  SiteHost(const SiteHost&) = delete;
  SiteHost& operator=(const SiteHost&) = delete;

  // One request/response. `binary` receives a raw payload when the reply announces one.
  nlohmann::json call(const nlohmann::json& req, std::string* binary = nullptr);
  void close();
  bool alive() const { return fd_ >= 0; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
};

}  // namespace lmsim
