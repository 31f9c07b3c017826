#!/usr/bin/env bash
# The whole test suite on a fresh clone: installs the test peers and the npm dependencies,
# builds every package, lints, type-checks the tests, runs every vitest project, and prints a
# one-line summary.
#
# Strict: a missing test peer (PostgreSQL, snmpd, Chromium, …) FAILS the run here — the test
# helpers throw (core/testing `missingPeer`) and the summary fails on any skip that
# test/allowed-skips.json does not list with a reason. `ISPM_STRICT_TESTS=0 npm test` turns it
# off; a bare `npx vitest run` is not strict (missing peers skip, saying why).
#
#   bash scripts/test.sh [vitest args…]   e.g. a project or files: --project core, packages/core/test/x.test.ts
#   bash scripts/test.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

export ISPM_STRICT_TESTS="${ISPM_STRICT_TESTS:-1}"

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

# Picking tests by name (-t) skips the others on purpose: the summary lists those skips, not fails.
summary_args=()
for arg in "$@"; do
  case "$arg" in -t | -t* | --testNamePattern | --testNamePattern=*) summary_args=(--filtered) ;; esac
done

mkdir -p test-artifacts
rm -f test-artifacts/vitest.json
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json "$@" || status=$?
if [ -f test-artifacts/vitest.json ]; then
  node scripts/test-summary.mjs test-artifacts/vitest.json "${summary_args[@]}" || status=1
else
  echo "tests: no report (vitest did not finish)" >&2
  status=1
fi
exit $status
