# Runs one fuzz target for a bounded number of inputs (ctest): a fixed seed, the repository's
# seed corpus read-only (libFuzzer writes new inputs to the first folder, here OUT, emptied
# before each run so every run is the same), crash files under OUT.
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT}/new ${OUT}/artifacts)
execute_process(COMMAND ${BIN} -runs=${RUNS} -seed=1 -max_len=4096 -timeout=10 -rss_limit_mb=2048
                        -artifact_prefix=${OUT}/artifacts/ ${OUT}/new ${CORPUS}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(GLOB found ${OUT}/artifacts/*)
  message(FATAL_ERROR "fuzz target ${BIN} failed (${rc}); inputs: ${found}. Add each as a regression "
                      "input in tests/firmware/fuzz/regressions/ and fix the parser.")
endif()
