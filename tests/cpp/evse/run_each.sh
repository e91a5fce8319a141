#!/bin/sh
# Runs every test of a gtest binary in its own process (as ctest does): ./run_each.sh BINARY
bin=$1; fail=0
for t in $($bin --gtest_list_tests | awk '/^[^ ]/{s=$1} /^  /{print s $1}'); do
  if out=$(timeout 60 $bin --gtest_filter="$t" 2>&1); then echo "PASS $t"; else echo "FAIL $t"; echo "$out" | grep -E "Failure|Expected|Which|actual|error|what" | head -12; fail=1; fi
done
exit $fail
