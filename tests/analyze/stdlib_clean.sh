#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `cordon check --analyze` of the stdlib and the examples reports nothing of its own: no rule that
# never fires, no `unless` never taken, no outcome never produced, no rule always outranked
# (docs/tools.md, "cordon check --analyze"). Warnings of plain `cordon check` are not its concern.
#   stdlib_clean.sh CORDON SOURCE_DIR
set -euo pipefail
cordon=$1
cd "$2"
status=0
for policy in stdlib/ear/policy.cordon examples/advanced_computing/policy.cordon \
  examples/drafts/iaas_rental.cordon; do
  out=$("$cordon" check --analyze "$policy" 2>&1) || { echo "$policy: exit $?"; echo "$out"; status=1; }
  if grep -E '\[(RuleCannotFire|UnlessCannotApply|OutcomeUnreachable|RuleAlwaysOutranked)\]' <<<"$out"; then
    echo "$policy: --analyze reports the above"
    status=1
  fi
done
exit $status
