#include "sim/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace lmsim {

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default:
        // Control characters are not allowed in XML 1.0 (JUnit readers reject the file).
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
          o += '?';
        else
          o += c;
    }
  }
  return o;
}

namespace {

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", v);
  return b;
}

// A step plot of one series. Long series are reduced to min/max per pixel column so that the
// file stays small and no excursion disappears.
std::string svg_plot(const Recorder::Series& s, double t_end) {
  const int W = 900, H = 160, L = 60, R = 10, T = 10, B = 24;
  const int pw = W - L - R, ph = H - T - B;
  if (s.t.empty()) return "";
  double lo = *std::min_element(s.v.begin(), s.v.end()), hi = *std::max_element(s.v.begin(), s.v.end());
  if (hi == lo) hi = lo + 1, lo = lo - 1;
  double pad = (hi - lo) * 0.05;
  lo -= pad, hi += pad;
  double tmax = std::max(t_end, static_cast<double>(s.t.back()) * 1e-12);
  if (tmax <= 0) tmax = 1;
  auto x = [&](double t) { return L + pw * (t / tmax); };
  auto y = [&](double v) { return T + ph * (1 - (v - lo) / (hi - lo)); };
  std::ostringstream o;
  o << "<svg width=\"" << W << "\" height=\"" << H << "\" xmlns=\"http://www.w3.org/2000/svg\">";
  o << "<rect x=\"" << L << "\" y=\"" << T << "\" width=\"" << pw << "\" height=\"" << ph
    << "\" fill=\"#fafafa\" stroke=\"#ccc\"/>";
  for (int k = 0; k <= 2; ++k) {
    double v = lo + (hi - lo) * k / 2;
    o << "<text x=\"" << L - 4 << "\" y=\"" << y(v) + 4 << "\" font-size=\"10\" text-anchor=\"end\">" << num(v)
      << "</text>";
  }
  for (int k = 0; k <= 4; ++k) {
    double t = tmax * k / 4;
    o << "<text x=\"" << x(t) << "\" y=\"" << H - 8 << "\" font-size=\"10\" text-anchor=\"middle\">" << num(t)
      << " s</text>";
  }
  // Columns of min/max; the value holds until the next sample (step plot).
  std::vector<double> cmin(pw + 1, NAN), cmax(pw + 1, NAN), clast(pw + 1, NAN);
  std::size_t n = s.t.size();
  for (std::size_t i = 0; i < n; ++i) {
    double t0 = s.t[i] * 1e-12, t1 = i + 1 < n ? s.t[i + 1] * 1e-12 : tmax;
    int c0 = std::clamp(static_cast<int>((t0 / tmax) * pw), 0, pw);
    int c1 = std::clamp(static_cast<int>((t1 / tmax) * pw), 0, pw);
    for (int c = c0; c <= c1; ++c) {
      cmin[c] = std::isnan(cmin[c]) ? s.v[i] : std::min(cmin[c], s.v[i]);
      cmax[c] = std::isnan(cmax[c]) ? s.v[i] : std::max(cmax[c], s.v[i]);
      clast[c] = s.v[i];
    }
  }
  o << "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.2\" points=\"";
  for (int c = 0; c <= pw; ++c) {
    if (std::isnan(cmin[c])) continue;
    double px = L + c;
    o << px << "," << y(cmin[c]) << " " << px << "," << y(cmax[c]) << " " << px << "," << y(clast[c]) << " ";
  }
  o << "\"/></svg>";
  return o.str();
}

}  // namespace

std::string html_report(const nlohmann::json& r, const Recorder& rec, const std::vector<std::string>& log) {
  std::ostringstream o;
  std::string verdict = r.value("verdict", "?");
  std::string colour = verdict == "pass" ? "#2ca02c" : "#d62728";
  o << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>lmsim: " << xml_escape(r.value("scenario", ""))
    << "</title>"
    << "<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}"
       "td,th{border:1px solid #ddd;padding:3px 8px;font-size:13px;text-align:left}"
       ".pass{color:#2ca02c}.fail{color:#d62728}pre{background:#f4f4f4;padding:8px;font-size:12px;overflow:auto}"
       "</style></head><body>";
  o << "<h1>" << xml_escape(r.value("scenario", "")) << " <span style=\"color:" << colour << "\">"
    << xml_escape(verdict) << "</span></h1>";
  const auto& p = r["provenance"];
  o << "<table><tr><th>file</th><td>" << xml_escape(r.value("file", "")) << "</td></tr><tr><th>seed</th><td>"
    << p.value("seed", 0) << "</td></tr><tr><th>simulated</th><td>" << num(r.value("sim_time_s", 0.0))
    << " s</td></tr><tr><th>wall</th><td>" << num(r.value("wall_time_s", 0.0)) << " s ("
    << num(r.value("speed_factor", 0.0)) << "x real time)</td></tr><tr><th>scenario sha256</th><td>"
    << xml_escape(p.value("scenario_sha256", "")) << "</td></tr>";
  if (p.contains("firmware_sha256"))
    o << "<tr><th>firmware sha256</th><td>" << xml_escape(p["firmware_sha256"].get<std::string>()) << "</td></tr>";
  o << "<tr><th>lmsim</th><td>" << xml_escape(p.value("lmsim_version", "")) << "</td></tr></table>";
  o << "<h2>Assertions</h2><table><tr><th></th><th>assertion</th><th>where</th><th>message</th></tr>";
  for (const auto& a : r["assertions"]) {
    bool ok = a.value("passed", false);
    o << "<tr><td class=\"" << (ok ? "pass" : "fail") << "\">" << (ok ? "pass" : "FAIL") << "</td><td>"
      << xml_escape(a.value("name", "")) << "</td><td>" << xml_escape(a.value("origin", "")) << "</td><td>"
      << xml_escape(a.value("message", "")) << "</td></tr>";
  }
  o << "</table>";
  if (!r["faults"].empty()) {
    o << "<h2>Faults</h2><ul>";
    for (const auto& f : r["faults"])
      o << "<li class=\"fail\">" << num(f.value("time_s", 0.0)) << " s " << xml_escape(f.value("source", "")) << ": "
        << xml_escape(f.value("message", "")) << "</li>";
    o << "</ul>";
  }
  o << "<h2>Figures</h2><table><tr><th>signal</th><th>min</th><th>max</th><th>final</th></tr>";
  for (const auto& [name, f] : r["figures"].items())
    o << "<tr><td>" << xml_escape(name) << "</td><td>" << num(f["min"]) << " " << xml_escape(f["unit"]) << "</td><td>"
      << num(f["max"]) << " " << xml_escape(f["unit"]) << "</td><td>" << num(f["final"]) << " " << xml_escape(f["unit"])
      << "</td></tr>";
  o << "</table><h2>Plots</h2>";
  double t_end = r.value("sim_time_s", 0.0);
  for (const auto& s : rec.series()) {
    o << "<h3>" << xml_escape(s.sig->name()) << (s.sig->unit().empty() ? "" : " [" + xml_escape(s.sig->unit()) + "]")
      << "</h3>" << svg_plot(s, t_end);
  }
  o << "<h2>Run log (last " << std::min<std::size_t>(log.size(), 200) << " lines)</h2><pre>";
  for (std::size_t i = log.size() > 200 ? log.size() - 200 : 0; i < log.size(); ++i) o << xml_escape(log[i]) << "\n";
  o << "</pre></body></html>\n";
  return o.str();
}

}  // namespace lmsim
