#!/usr/bin/env bash
# The whole test suite on a fresh clone: installs the test peers and the npm dependencies,
# builds every package, lints, type-checks the tests, runs every vitest project, and prints a
# one-line summary.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-services.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
# Lint (Biome) and type-check the tests too: both fail the run.
npx biome check . --diagnostic-level=error
npx tsc -p tsconfig.test.json
# Simulated fleets open many sockets.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

mkdir -p test-artifacts
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json "$@" || status=$?
node scripts/test-summary.mjs test-artifacts/vitest.json || true
exit $status
