#include "sim/elaborate.h"

#include "models/models.h"

namespace lmsim {

std::unique_ptr<Site> elaborate_models(const YNode& root, const std::string& scenario_path, std::uint64_t seed) {
  auto site = std::make_unique<Site>(root, scenario_path, seed);
  plant::build(*site, root);
  mcu::build(*site, root);
  evse::build(*site, root);
  net::build(*site, root);
  return site;
}

std::unique_ptr<Site> elaborate_text(const std::string& yaml, std::uint64_t seed) {
  YNode root = YNode::load_string(yaml, "<test>");
  return elaborate_models(root, "test.yaml", seed);
}

}  // namespace lmsim
