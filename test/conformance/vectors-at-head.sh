#!/usr/bin/env bash
# Regenerates the conformance vectors from the module as committed at HEAD, not from the working
# tree: in a shared checkout, someone's unfinished change in assembly/ must not end up in the
# vectors (CI builds the committed source, and the freshness test compares SHA-256s).
#   bash test/conformance/vectors-at-head.sh        then review and commit test/conformance/vectors
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive HEAD assembly asconfig.json package.json | tar -x -C "$tmp"
ln -s "$PWD/node_modules" "$tmp/node_modules"
(cd "$tmp" && npx asc assembly/index.ts --target release >/dev/null)
npx tsc -p tsconfig.json >/dev/null || echo "(tsc reported errors elsewhere; the conformance files compiled)" >&2
echo "module at $(git log -1 --format='%h %s' | cut -c1-80)"
EDGELEARN_WASM="$tmp/build/learner.wasm" node build/test/conformance/generate-vectors.js
