#!/usr/bin/env bash
# CI entry point of the example frontend:
#   WARTA_BIN=target/debug/warta examples/frontend/ci.sh
#
# Installs the locked npm packages, generates the API types from
# openapi/openapi.json, type-checks (strict) and builds the TypeScript, then runs
# the end-to-end test in headless Chromium (/usr/bin/chromium, or CHROMIUM_PATH)
# against a Warta started from WARTA_BIN. Exits non-zero on any failure.
set -euo pipefail

started=$SECONDS
step="checking WARTA_BIN and the browser"

# Everything temporary (databases, the browser profile) goes in here, removed at the end.
TMPDIR=$(mktemp -d -t warta-frontend-ci.XXXXXX)
export TMPDIR

finish() {
  local status=$?
  # After an interruption the browser may still be writing its profile for a moment.
  for _ in 1 2 3 4 5; do
    rm -rf "${TMPDIR}" 2>/dev/null && [[ ! -e "${TMPDIR}" ]] && break
    sleep 1
  done
  if [[ $status -eq 0 ]]; then
    echo "frontend ci: PASS ($((SECONDS - started)) s)"
  else
    echo "frontend ci: FAIL at step '${step}' (exit ${status}, $((SECONDS - started)) s)" >&2
  fi
}
trap finish EXIT

# Each step runs in the background so that an interrupted CI job stops it (and,
# through `timeout`, everything it started) instead of leaving it behind.
child=""
interrupted() {
  echo "frontend ci: interrupted, stopping '${step}'" >&2
  if [[ -n "${child}" ]]; then
    kill -TERM "${child}" 2>/dev/null || true
    wait "${child}" 2>/dev/null || true
  fi
  exit 130
}
trap interrupted INT TERM

run() {
  step=$1
  shift
  echo "==> ${step}"
  local status=0
  "$@" &
  child=$!
  wait "${child}" || status=$?
  child=""
  return "${status}"
}

if [[ -z "${WARTA_BIN:-}" ]]; then
  echo "frontend ci: set WARTA_BIN to the warta binary (e.g. target/debug/warta)" >&2
  exit 2
fi
# A relative WARTA_BIN is meant from where the script was called.
if ! WARTA_BIN=$(realpath -e "${WARTA_BIN}") || [[ ! -x "${WARTA_BIN}" ]]; then
  echo "frontend ci: WARTA_BIN is not an executable file" >&2
  exit 2
fi
export WARTA_BIN
cd "$(dirname "${BASH_SOURCE[0]}")"
chromium_path=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ ! -x "${chromium_path}" ]]; then
  echo "frontend ci: no browser at ${chromium_path} (apt-get install chromium, or set CHROMIUM_PATH)" >&2
  exit 2
fi

run "npm ci" timeout 120 npm ci --no-audit --no-fund --loglevel=error
run "generate API types" timeout 60 npx --no-install openapi-typescript ../../openapi/openapi.json -o src/generated/api.d.ts
run "tsc --noEmit (strict)" timeout 60 npx --no-install tsc --noEmit -p tsconfig.json
rm -rf dist
run "build" timeout 60 npx --no-install tsc -p tsconfig.json
run "webhook receiver unit test" timeout 60 node --test --test-reporter=spec test/webhook.test.mjs
rm -rf test-results
run "end-to-end test (headless Chromium)" timeout --kill-after=10 190 \
  node --test --test-reporter=spec --test-timeout=60000 test/e2e.test.mjs
