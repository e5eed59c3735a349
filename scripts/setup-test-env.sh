#!/usr/bin/env bash
# Everything the tests need beyond `npm install`, into git-ignored folders:
# the native TensorFlow backend (.cache/tfjs-node) and a real VS Code with
# Chromium and Playwright (.tools). Each step is skipped in seconds when done.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tfjs-node.sh
bash scripts/setup-vscode-test-env.sh
