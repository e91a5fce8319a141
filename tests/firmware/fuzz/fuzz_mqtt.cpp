// libFuzzer entry point; the harness is shared with the corpus replay test.
#include "fuzz/mqtt_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return lmc::fuzz::mqtt_stream(data, size);
}
