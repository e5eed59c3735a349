#!/usr/bin/env bash
# The fused-kernel tests once more on Node 24, whose V8 runs the relaxed-SIMD
# (fused multiply-add) kernel build; Node 20, which runs the other unit tests,
# cannot validate that build and takes the plain one. VS Code's extension
# host (Node 22 and later) runs the relaxed build, so both are tested.
# Node 24 comes from scripts/setup-vscode-test-env.sh (.tools/env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=/dev/null
source .tools/env.sh
RSL_EXPECT_KERNEL_VARIANT=relaxed exec "$NODE24_BIN" --import tsx --test --test-reporter=tap test/unit/fused-kernels.test.ts
