// A self-contained HTML report of one run: verdict, assertions, faults, key figures, plots of
// the recorded signals (inline SVG, no scripts or external files), and the end of the run log.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/trace.h"

namespace lmsim {

// Escapes text for XML/HTML attributes and content (control characters become '?').
std::string xml_escape(const std::string& s);

std::string html_report(const nlohmann::json& result, const Recorder& rec, const std::vector<std::string>& log);

}  // namespace lmsim
