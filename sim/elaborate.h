// Builds a whole site from a scenario: every model area, then the core's stimuli, timeline
// and assertions. Used by the CLI, the Python host and C++ tests.
#pragma once
#include <memory>
#include <string>

#include "sim/site.h"

namespace lmsim {

// Elaborates all model areas for `root` (already merged). Must be called at most once per
// process (SystemC). Throws InputError for bad scenarios.
std::unique_ptr<Site> elaborate_models(const YNode& root, const std::string& scenario_path, std::uint64_t seed);

// For tests: parse YAML text, elaborate, and be ready for sc_start().
std::unique_ptr<Site> elaborate_text(const std::string& yaml, std::uint64_t seed = 1);

}  // namespace lmsim
