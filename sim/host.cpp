#include "sim/host.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lmsim {
namespace {

bool write_all(int fd, const void* p, std::size_t n) {
  const char* c = static_cast<const char*>(p);
  while (n) {
    ssize_t w = ::write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    c += w, n -= static_cast<std::size_t>(w);
  }
  return true;
}
bool read_all(int fd, void* p, std::size_t n) {
  char* c = static_cast<char*>(p);
  while (n) {
    ssize_t r = ::read(fd, c, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    c += r, n -= static_cast<std::size_t>(r);
  }
  return true;
}
bool send_frame(int fd, const std::string& s) {
  std::uint64_t n = s.size();
  return write_all(fd, &n, sizeof n) && write_all(fd, s.data(), s.size());
}
bool recv_frame(int fd, std::string& s) {
  std::uint64_t n = 0;
  if (!read_all(fd, &n, sizeof n) || n > (1ull << 36)) return false;
  s.resize(n);
  return read_all(fd, s.data(), n);
}

nlohmann::json signal_json(const Signal& s) {
  nlohmann::json j = {{"name", s.name()},
                      {"type", to_string(s.type())},
                      {"unit", s.unit()},
                      {"knob", s.is_knob()},
                      {"description", s.description()}};
  if (s.type() == SignalType::Enum) j["states"] = s.states();
  return j;
}

nlohmann::json value_json(const Signal& s) {
  switch (s.type()) {
    case SignalType::Number: return s.value();
    case SignalType::Bool: return s.value() != 0;
    case SignalType::Enum:
    case SignalType::String:
    case SignalType::Stream: return s.render();
  }
  return nullptr;
}

// The child's request loop.
[[noreturn]] void serve(int fd, const SessionOptions& opt) {
  std::unique_ptr<Session> s;
  auto reply = [&](const nlohmann::json& j) {
    // replace: signal values (UART streams) may hold bytes that are not UTF-8.
    if (!send_frame(fd, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))) _exit(0);
  };
  try {
    s = std::make_unique<Session>(opt);
    reply({{"ok", true}, {"name", s->name()}, {"duration", s->duration()}, {"seed", s->seed()}});
  } catch (const InputError& e) {
    reply({{"error", e.what()}, {"kind", "input"}});
    _exit(2);
  } catch (const SignalError& e) {
    reply({{"error", e.what()}, {"kind", "input"}});
    _exit(2);
  } catch (const std::exception& e) {
    reply({{"error", e.what()}, {"kind", "internal"}});
    _exit(4);
  }
  std::string in;
  while (recv_frame(fd, in)) {
    nlohmann::json r;
    std::string bin;
    bool has_bin = false;
    try {
      auto q = nlohmann::json::parse(in);
      std::string op = q.at("op");
      Registry& reg = s->registry();
      // A finished run has its verdict; moving or changing it afterwards would contradict it.
      if (s->finished() && (op == "run_until" || op == "run_until_cond" || op == "set" || op == "record"))
        throw std::runtime_error(op.substr(0, 3) == "run"
                                     ? "the run is finished (finish() was called); create a new Site"
                                     : "cannot " + op + " after finish(); create a new Site");
      if (op == "run_until") {
        s->run_until(q.at("t").get<Time>());
        r = {{"now", s->now()}, {"stopped", s->stopped()}};
      } else if (op == "run_until_cond") {
        bool hit = s->run_until_condition(q.at("cond"), q.at("timeout").get<Time>());
        r = {{"hit", hit}, {"now", s->now()}, {"stopped", s->stopped()}};
      } else if (op == "get") {
        reg.settle();
        r = {{"value", value_json(reg.at(q.at("name").get<std::string>()))}};
      } else if (op == "set") {
        std::string name = q.at("name");
        if (q.contains("text"))
          reg.write(name, q["text"].get<std::string>());
        else
          reg.write_value(name, q.at("value").get<double>());
        r = {{"ok", true}};
      } else if (op == "signals") {
        auto list = nlohmann::json::array();
        for (auto* sig : reg.all()) list.push_back(signal_json(*sig));
        r = {{"signals", std::move(list)}};
      } else if (op == "record") {
        s->record(q.at("glob"));
        r = {{"ok", true}};
      } else if (op == "trace") {
        reg.settle();
        const auto* se = s->recorder().find(q.at("name"));
        if (!se)
          throw SignalError("'" + q.at("name").get<std::string>() + "' is not recorded (call record() before run())");
        std::size_t n = se->t.size();
        bin.resize(n * 16);
        std::memcpy(bin.data(), se->t.data(), n * 8);
        std::memcpy(bin.data() + n * 8, se->v.data(), n * 8);
        has_bin = true;
        r = {{"n", n}, {"binary", bin.size()}};
      } else if (op == "now") {
        r = {{"now", s->now()}, {"stopped", s->stopped()}, {"duration", s->duration()}};
      } else if (op == "finish") {
        s->finish();
        r = {{"result", s->result_json()}};
      } else if (op == "log") {
        r = {{"lines", s->site().log_lines()}};
      } else if (op == "rpc") {
        std::string name = q.at("name");
        const auto* f = s->site().rpc(name);
        if (!f) throw SignalError("this site offers no procedure '" + name + "'");
        reg.settle();
        r = {{"result", (*f)(q.value("args", nlohmann::json::object()))}};
      } else if (op == "quit") {
        reply({{"ok", true}});
        _exit(0);
      } else {
        throw std::runtime_error("unknown request '" + op + "'");
      }
    } catch (const InputError& e) {
      r = {{"error", e.what()}, {"kind", "input"}};
    } catch (const SignalError& e) {
      r = {{"error", e.what()}, {"kind", "signal"}};
    } catch (const std::exception& e) {
      r = {{"error", e.what()}, {"kind", "internal"}};
    }
    reply(r);
    if (has_bin && !send_frame(fd, bin)) _exit(0);
  }
  _exit(0);
}

}  // namespace

SiteHost::SiteHost(const SessionOptions& opt) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw HostError("internal", std::string("socketpair: ") + std::strerror(errno));
  pid_ = fork();
  if (pid_ < 0) throw HostError("internal", std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    ::close(sv[0]);
    serve(sv[1], opt);
  }
  ::close(sv[1]);
  fd_ = sv[0];
  std::string first;
  if (!recv_frame(fd_, first)) {
    close();
    throw HostError("died", "the site process died while loading the scenario");
  }
  auto j = nlohmann::json::parse(first);
  if (j.contains("error")) {
    close();
    throw HostError(j["kind"], j["error"]);
  }
}

SiteHost::~SiteHost() {
  close();
}

nlohmann::json SiteHost::call(const nlohmann::json& req, std::string* binary) {
  if (fd_ < 0) throw HostError("died", "the site is closed");
  std::string out;
  if (!send_frame(fd_, req.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) || !recv_frame(fd_, out)) {
    close();
    throw HostError("died", "the site process died (crash in a model or the firmware host?)");
  }
  auto j = nlohmann::json::parse(out);
  if (j.contains("error")) throw HostError(j["kind"], j["error"]);
  if (j.contains("binary")) {
    std::string bin;
    if (!recv_frame(fd_, bin)) {
      close();
      throw HostError("died", "the site process died");
    }
    if (binary) *binary = std::move(bin);
  }
  return j;
}

void SiteHost::close() {
  if (fd_ >= 0) {
    std::uint64_t n = 0;
    std::string q = R"({"op":"quit"})";
    n = q.size();
    (void)(write_all(fd_, &n, sizeof n) && write_all(fd_, q.data(), q.size()));
    ::close(fd_);
    fd_ = -1;
  }
  if (pid_ > 0) {
    int st = 0;
    // The child exits on quit or on EOF; make sure it does not linger.
    for (int i = 0; i < 200; ++i) {
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      usleep(i < 20 ? 1000 : 10000);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &st, 0);
    pid_ = -1;
  }
}

}  // namespace lmsim
