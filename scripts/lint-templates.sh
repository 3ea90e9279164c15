#!/usr/bin/env bash
# Runs cfn-lint over every synthesized template in cdk.out (nested stage
# assemblies included), in parallel, skipping templates that already passed
# (cache in node_modules/.cache/cfn-lint/, keyed by template, cfn-lint version
# and configuration). Errors fail; warnings are printed. See
# scripts/lint-templates.ts --help and docs/performance.md.
set -euo pipefail
exec node --import tsx "$(dirname "$0")/lint-templates.ts" "$@"
