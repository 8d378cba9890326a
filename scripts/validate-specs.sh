#!/usr/bin/env bash
# Validates OpenAPI documents (the arguments: the vendored documents as their overlays correct
# them, written by `cargo xtask test`) with an independent validator (openapi-spec-validator
# from PyPI, pinned), installed into .tools/venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.tools/venv
if [ ! -x "$venv/bin/openapi-spec-validator" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check openapi-spec-validator==0.9.0
fi
if [ "$#" -eq 0 ]; then
  echo "usage: scripts/validate-specs.sh <document>..." >&2
  exit 2
fi
"$venv/bin/openapi-spec-validator" "$@"
