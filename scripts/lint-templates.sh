#!/usr/bin/env bash
# Runs cfn-lint over every synthesized template in cdk.out (nested stage
# assemblies included). cfn-lint's exit code is a bit mask: 2 = errors,
# 4 = warnings, 8 = informational. Errors fail; warnings are printed.
set -uo pipefail
out="${1:-cdk.out}"
case ":$PATH:" in *":$HOME/.pyenv/shims:"*) ;; *) export PATH="$HOME/.pyenv/shims:$PATH" ;; esac
if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "lint-templates: cfn-lint not found on PATH or in \$HOME/.pyenv/shims; install it with 'pip install cfn-lint'" >&2
  exit 2
fi
mapfile -t templates < <(find "$out" -name '*.template.json' | sort)
if [ "${#templates[@]}" -eq 0 ]; then
  echo "lint-templates: no templates under $out; run the synth first" >&2
  exit 2
fi
cfn-lint --format parseable -- "${templates[@]}"
rc=$?
if (( rc & 2 )); then
  echo "lint-templates: cfn-lint found errors in ${#templates[@]} templates" >&2
  exit 1
fi
(( rc & 4 )) && echo "lint-templates: warnings above (not failing)"
echo "lint-templates: ${#templates[@]} templates, no errors"
exit 0
