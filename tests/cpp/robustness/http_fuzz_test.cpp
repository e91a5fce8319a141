// Seeded HTTP garbage: the HTTP parser fed random and malformed bytes in random chunks (also a
// 1 MB body and huge headers), and random requests into the simulated cloud and the Zaptec API
// handlers (any method, odd paths, broken JSON/forms, wrong tokens). Every request gets a
// status 100..599 and a JSON body; nothing throws or crashes; the site keeps running.
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <systemc>

#include "models/net/cloud.h"
#include "models/net/http.h"
#include "models/net/zaptec_api.h"
#include "sim/elaborate.h"

using namespace lmsim;
using namespace lmsim::net;

namespace {

std::string pick(std::mt19937& rng, std::initializer_list<const char*> xs) {
  return *(xs.begin() + rng() % xs.size());
}

std::string random_bytes(std::mt19937& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string random_path(std::mt19937& rng) {
  std::string p;
  for (unsigned i = rng() % 7; i > 0; --i) {
    p += rng() % 8 == 0 ? "//" : "/";
    p += pick(rng, {"v1",
                    "api",
                    "edgedevices",
                    "SE12345678",
                    "evses",
                    "evse-1",
                    "currentsettings",
                    "status",
                    "telemetry",
                    "commands",
                    "ripple",
                    "chargers",
                    "installation",
                    "garage",
                    "state",
                    "update",
                    "sendCommand",
                    "506",
                    "507",
                    "102",
                    "oauth",
                    "token",
                    "..",
                    "%00",
                    "%zz",
                    "?x=1",
                    ""});
    if (rng() % 20 == 0) p += std::string(rng() % 5000, 'a');
  }
  return p.empty() ? "/" : p;
}

std::string random_body(std::mt19937& rng) {
  switch (rng() % 8) {
    case 0: return "";
    case 1: return random_bytes(rng, rng() % 200);
    case 2:
      return R"({"current": )" + pick(rng, {"10", "-1", "1e400", "\"x\"", "null", "[]", "{}", "99999999999999999999"}) +
             R"(, "duration": )" + pick(rng, {"600", "-5", "0", "1e308", "\"y\"", "true"}) + "}";
    case 3: return R"({"mode": )" + pick(rng, {"\"blocked\"", "\"bogus\"", "1", "null", "[\"normal\"]"}) + "}";
    case 4: return R"({"device": "SE12345678", "p": )" + pick(rng, {"[1,2,3]", "\"x\"", "{}", "[[[[[[]]]]]]"}) + "}";
    case 5:
      return pick(rng, {"grant_type=password&username=installer%40example.com&password=zaptec",
                        "grant_type=password&username=%&password=%zz", "=&=&&", "grant_type"});
    case 6:
      return R"({"maxChargeCurrent": )" + pick(rng, {"16", "-1", "33", "\"16\"", "1e400", "null"}) +
             R"(, "AvailableCurrent": )" + pick(rng, {"10", "-3", "\"x\"", "1e308"}) + "}";
    default: return std::string(rng() % 2 ? 1 << 20 : 1000, '[');  // huge / deeply nested JSON
  }
}

HttpMessage random_request(std::mt19937& rng, const std::string& token) {
  HttpMessage r;
  r.method = pick(rng, {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "", "G\x01T", "get"});
  r.url = random_path(rng);
  r.body = random_body(rng);
  switch (rng() % 5) {
    case 0: r.headers.emplace_back("evsetoken", pick(rng, {"tok", "", "bad"})); break;
    case 1: r.headers.emplace_back("Authorization", "Bearer " + token); break;
    case 2: r.headers.emplace_back("Authorization", pick(rng, {"Bearer", "Bearer ", "Basic x", ""})); break;
    case 3: r.headers.emplace_back(std::string(rng() % 3000, 'h'), std::string(rng() % 3000, 'v')); break;
    default: break;
  }
  return r;
}

const char* kSite = R"(
duration: 1h
network:
  ethernet: {plugged: true}
  cloud: {evse_tokens: {evse-1: tok}}
stations:
  - {name: zap1, model: zaptec-pro, installation: garage, installation_max_current: 20A}
evs:
  - {name: c1, station: zap1, arrive: 0s, phases: 3, max_current: 32A}
)";

}  // namespace

TEST(RobustHttp, CloudAndZaptecApiAnswerSeededGarbage) {
  auto site = elaborate_text(kSite, 5);
  sc_core::sc_start(sc_core::sc_time(2, sc_core::SC_SEC));
  auto* cloud = site->service<Cloud>("cloud");
  auto* zap = site->service<ZaptecApi>("net.zaptec");
  ASSERT_NE(cloud, nullptr);
  ASSERT_NE(zap, nullptr);
  auto now = [] { return static_cast<Time>(sc_core::sc_time_stamp().value()); };
  HttpMessage grant;
  grant.method = "POST";
  grant.url = "/oauth/token";
  grant.body = "grant_type=password&username=installer%40example.com&password=zaptec";
  auto g = zap->handle(grant, now());
  ASSERT_EQ(g.status, 200) << g.body;
  const std::string token = nlohmann::json::parse(g.body)["access_token"];
  std::mt19937 rng(7);
  int ok = 0, client_err = 0;
  for (int i = 0; i < 1500; ++i) {
    if (i % 50 == 49) sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_SEC));  // refills the rate limit
    HttpMessage req = random_request(rng, token);
    if (i % 4 == 0) {  // a valid request now and then: the handlers' data paths run between the garbage
      static const char* kGood[][3] = {
          {"GET", "/edgedevices/SE12345678/evses/evse-1/currentsettings", ""},
          {"POST", "/edgedevices/SE12345678/evses/evse-1/currentsettings", R"({"current": 10, "duration": 600})"},
          {"GET", "/edgedevices/SE12345678/evses/evse-1/status", ""},
          {"POST", "/v1/telemetry", R"({"device": "SE12345678", "p": [1, 2, 3]})"},
          {"GET", "/api/chargers", ""},
          {"GET", "/api/installation/garage", ""},
      };
      const auto& g = kGood[rng() % std::size(kGood)];
      req = HttpMessage{};
      req.method = g[0];
      req.url = g[1];
      req.body = g[2];
      req.headers = {{"evsetoken", "tok"}, {"Authorization", "Bearer " + token}};
    }
    HttpServer::Reply rep =
        (i % 2 ? static_cast<HttpServer::Reply>(zap->handle(req, now())) : cloud->handle(req, now()));
    ASSERT_GE(rep.status, 100) << req.method << " " << req.url.substr(0, 80);
    ASSERT_LT(rep.status, 600) << req.method << " " << req.url.substr(0, 80);
    ASSERT_GE(rep.status, 200);
    if (rep.status >= 500) {
      ADD_FAILURE() << "server error " << rep.status << " for " << req.method << " " << req.url.substr(0, 80);
    }
    if (!rep.body.empty() && rep.content_type == "application/json") {
      EXPECT_FALSE(nlohmann::json::parse(rep.body, nullptr, false).is_discarded()) << rep.body.substr(0, 80);
    }
    (rep.status < 300 ? ok : client_err)++;
  }
  EXPECT_GT(ok, 10);
  EXPECT_GT(client_err, 100);
  sc_core::sc_start(sc_core::sc_time(5, sc_core::SC_SEC));  // the site keeps running
}

TEST(RobustHttp, ParserSurvivesSeededGarbageInRandomChunks) {
  std::mt19937 rng(11);
  const std::string good = "GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
  int errors = 0, parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string in;
    switch (i % 8) {
      case 0: in = random_bytes(rng, rng() % 400); break;
      case 1: in = good.substr(0, rng() % good.size()); break;  // early close
      case 2: {                                                 // mutate a good request
        in = good;
        for (int k = rng() % 4 + 1; k > 0; --k) in[rng() % in.size()] = static_cast<char>(rng());
        break;
      }
      case 3: in = "GET / HTTP/1.1\nHost: a\n\n"; break;  // no CR
      case 4: in = "GET / HTTP/1.1\r\nX: " + std::string(100000 + rng() % 100000, 'x') + "\r\n\r\n"; break;
      case 5:
        in = "POST / HTTP/1.1\r\nContent-Length: " + pick(rng, {"-1", "18446744073709551616", "abc", "1048576", ""}) +
             "\r\n\r\n" + std::string(rng() % 2 ? 1 << 20 : 10, 'b');
        break;
      case 6:
        in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
             pick(rng, {"zz\r\n", "FFFFFFFFFFFFFFFFFF\r\n", "5\r\nab", "0\r\n\r\n"});
        break;
      default: in = good + good + random_bytes(rng, rng() % 20); break;  // pipelined then garbage
    }
    HttpParser p(rng() % 8 != 0);
    bool alive = true;
    for (std::size_t at = 0; alive && at < in.size();) {
      std::size_t n = 1 + rng() % 700;
      alive = p.feed(std::string_view(in).substr(at, n));
      at += n;
    }
    if (alive && rng() % 2) p.eof();
    if (!alive) {
      ++errors;
      EXPECT_FALSE(p.error().empty());
      EXPECT_FALSE(p.feed("GET / HTTP/1.1\r\n\r\n") && false);  // feeding after an error must not crash
    }
    parsed += static_cast<int>(p.done.size());
  }
  EXPECT_GT(errors, 300);
  EXPECT_GT(parsed, 300);
}
