// Placeholder: builds nothing yet; reports any key of its section as unknown.
#include "models/models.h"

namespace lmsim::evse {
void build(Site&, const YNode&) {}
}  // namespace lmsim::evse
