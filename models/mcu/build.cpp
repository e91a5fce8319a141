// Placeholder: builds nothing yet; reports any key of its section as unknown.
#include "models/models.h"

namespace lmsim::mcu {
void build(Site&, const YNode&) {}
}  // namespace lmsim::mcu
