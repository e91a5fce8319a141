// libFuzzer entry point; the harness is shared with the corpus replay test.
#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return lmc::fuzz::http_response(data, size);
}
