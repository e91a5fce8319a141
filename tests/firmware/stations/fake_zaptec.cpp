#include "stations/fake_zaptec.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace lmc::test {
namespace {

using nlohmann::json;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> form(const std::string& body) {
  std::map<std::string, std::string> f;
  std::size_t p = 0;
  while (p <= body.size()) {
    std::size_t amp = body.find('&', p);
    if (amp == std::string::npos) amp = body.size();
    const std::string kv = body.substr(p, amp - p);
    const std::size_t eq = kv.find('=');
    if (eq != std::string::npos) f[url_decode(kv.substr(0, eq))] = url_decode(kv.substr(eq + 1));
    p = amp + 1;
  }
  return f;
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t p = 1;
  while (p <= path.size()) {
    std::size_t s = path.find('/', p);
    if (s == std::string::npos) s = path.size();
    parts.push_back(path.substr(p, s - p));
    p = s + 1;
  }
  return parts;
}

std::string reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

}  // namespace

FakeZaptec::FakeZaptec() {
  Charger c;
  c.id = "0b7d3c1e-4a5f-4c2b-9d1e-2f3a4b5c6d7e";
  c.name = "zap1";
  c.installation = "garage";
  chargers.push_back(c);
  installations["garage"] = Installation{};
}

int FakeZaptec::count(const std::string& method, const std::string& part) const {
  int n = 0;
  for (const Call& c : calls) n += c.method == method && c.path.find(part) != std::string::npos;
  return n;
}

std::string FakeZaptec::feed(const std::string& bytes, std::uint64_t t) {
  buf_ += bytes;
  std::string out;
  for (;;) {
    const std::size_t end = buf_.find("\r\n\r\n");
    if (end == std::string::npos) break;
    const std::string head = buf_.substr(0, end);
    std::map<std::string, std::string> headers;
    std::size_t line_end = head.find("\r\n");
    const std::string start = head.substr(0, line_end);
    while (line_end != std::string::npos) {
      const std::size_t next = head.find("\r\n", line_end + 2);
      const std::string line =
          head.substr(line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string v = line.substr(colon + 1);
        v.erase(0, v.find_first_not_of(' '));
        headers[lower(line.substr(0, colon))] = v;
      }
      line_end = next;
    }
    const std::size_t len = headers.count("content-length") ? std::stoul(headers["content-length"]) : 0;
    if (buf_.size() < end + 4 + len) break;
    const std::string body = buf_.substr(end + 4, len);
    buf_.erase(0, end + 4 + len);
    const std::size_t sp1 = start.find(' '), sp2 = start.rfind(' ');
    const std::string method = start.substr(0, sp1), path = start.substr(sp1 + 1, sp2 - sp1 - 1);
    int status = 0;
    std::string extra;
    std::string payload = handle(method, path, headers, body, t, status);
    calls.push_back({t, method, path, body, status});
    if (silent) continue;
    if (status == 429) extra = "Retry-After: " + std::to_string(retry_after_s > 0 ? retry_after_s : 1) + "\r\n";
    out += "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\nContent-Type: application/json\r\n" +
           extra + (close_after_reply ? "Connection: close\r\n" : "") +
           "Content-Length: " + std::to_string(payload.size()) + "\r\n\r\n" + payload;
  }
  return out;
}

std::string FakeZaptec::handle(const std::string& method, const std::string& path,
                               const std::map<std::string, std::string>& headers, const std::string& body,
                               std::uint64_t t, int& status) {
  status = 200;
  // §5 / docs/stations.md: POST /oauth/token, form grant_type=password&username=&password=.
  if (method == "POST" && path == "/oauth/token") {
    auto f = form(body);
    if (f["grant_type"] != "password" || f["username"] != user || f["password"] != password) {
      status = 400;
      return json{{"error", "invalid_grant"}}.dump();
    }
    if (bad_token) return json{{"access_token", 5}, {"token_type", "Bearer"}}.dump();
    const std::string tok = "tok-" + std::to_string(++next_token_);
    tokens[tok] = true;
    return json{{"access_token", tok}, {"token_type", "Bearer"}, {"expires_in", 86400}}.dump();
  }
  auto auth = headers.find("authorization");
  if (auth == headers.end() || auth->second.rfind("Bearer ", 0) != 0 || !tokens.count(auth->second.substr(7)) ||
      !tokens[auth->second.substr(7)]) {
    status = 401;
    return json{{"message", "Unauthorized"}}.dump();
  }
  if (fail_status) {
    status = fail_status;
    return json{{"message", "fault"}}.dump();
  }
  const auto parts = split(path);
  if (parts.size() == 2 && parts[0] == "api" && parts[1] == "chargers" && method == "GET") {
    json data = json::array();
    for (const Charger& c : chargers)
      data.push_back({{"Id", c.id},
                      {"DeviceId", "ZAP000001"},
                      {"SerialNo", "ZAP000001"},
                      {"Name", c.name},
                      {"InstallationId", c.installation},
                      {"CircuitId", c.installation + "-c"},
                      {"OperatingMode", c.mode},
                      {"IsOnline", true},
                      {"DeviceType", 4}});
    return json{{"Pages", 1}, {"Data", data}}.dump();
  }
  if (parts.size() >= 3 && parts[0] == "api" && parts[1] == "chargers") {
    auto it = std::find_if(chargers.begin(), chargers.end(), [&](const Charger& c) { return c.id == parts[2]; });
    if (it == chargers.end()) {
      status = 404;
      return json{{"errorCode", 512}}.dump();
    }
    if (parts.size() == 4 && parts[3] == "state" && method == "GET") {
      // §5 state observations: 507..509 currents (A), 710 operation mode, 523 offline current.
      json arr = json::array();
      auto obs = [&](int id, const std::string& v) {
        arr.push_back(
            {{"ChargerId", it->id}, {"StateId", id}, {"Timestamp", "2026-11-25T17:00:00"}, {"ValueAsString", v}});
      };
      obs(-2, "1");
      for (int p = 0; p < 3; ++p) obs(507 + p, std::to_string(it->current_a[p]));
      obs(710, std::to_string(it->mode));
      if (it->offline_a >= 0) obs(523, std::to_string(it->offline_a));
      obs(100, "{\"productVariant\":\"Pro\"}");
      return arr.dump();
    }
    if (parts.size() == 4 && parts[3] == "update" && method == "POST") {
      json b = json::parse(body, nullptr, false);
      if (!b.is_object() || !b.contains("maxChargeCurrent") || !b["maxChargeCurrent"].is_number() ||
          b["maxChargeCurrent"].get<double>() < 0 || b["maxChargeCurrent"].get<double>() > 32) {
        status = 400;
        return json{{"message", "maxChargeCurrent 0..32"}}.dump();
      }
      it->max_charge_current = b["maxChargeCurrent"].get<double>();
      return "{}";
    }
  }
  if (parts.size() >= 3 && parts[0] == "api" && parts[1] == "installation" && installations.count(parts[2])) {
    Installation& in = installations[parts[2]];
    if (parts.size() == 3 && method == "GET") {
      auto av = [&](int p) { return in.available[p] < 0 ? in.max_current : in.available[p]; };
      return json{{"Id", parts[2]},
                  {"MaxCurrent", in.max_current},
                  {"AvailableCurrentPhase1", av(0)},
                  {"AvailableCurrentPhase2", av(1)},
                  {"AvailableCurrentPhase3", av(2)},
                  {"AvailableCurrentMode", 0}}
          .dump();
    }
    if (parts.size() == 4 && parts[3] == "update" && method == "POST") {
      // §5: "do not update more than once every 15 min" (the simulated cloud answers 429).
      if (in.updated && t - in.last_update_ms < 15u * 60u * 1000u) {
        status = 429;
        retry_after_s = static_cast<int>((in.last_update_ms + 15u * 60u * 1000u - t) / 1000) + 1;
        return json{{"message", "Installation updated too often"}}.dump();
      }
      json b = json::parse(body, nullptr, false);
      if (!b.is_object()) {
        status = 400;
        return "{}";
      }
      const char* keys[] = {"AvailableCurrentPhase1", "AvailableCurrentPhase2", "AvailableCurrentPhase3"};
      for (int p = 0; p < 3; ++p)
        if (b.contains(keys[p]) && b[keys[p]].is_number())
          in.available[p] = std::min(b[keys[p]].get<double>(), in.max_current);
      if (b.contains("AvailableCurrent") && b["AvailableCurrent"].is_number())
        for (double& a : in.available) a = std::min(b["AvailableCurrent"].get<double>(), in.max_current);
      in.updated = true;
      in.last_update_ms = t;
      return "{}";
    }
  }
  status = 404;
  return json{{"message", "Not found"}}.dump();
}

}  // namespace lmc::test
