#!/bin/sh
# Score the time rules (dossier_nlp::time) on a TimeML split with the TempEval-3 measures.
#   tools/timeml/eval.sh [dev|train] [--errors N]
# Needs ../shared/data/timeml and ../shared/eval/score_timex.py next to the repository.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
split=${1:-dev}
[ $# -gt 0 ] && shift
gold="$root/../shared/data/timeml/$split.jsonl"
scorer="$root/../shared/eval/score_timex.py"
pred=$(mktemp /tmp/timex_pred.XXXXXX.jsonl)
trap 'rm -f "$pred"' EXIT
cd "$root"
cargo run --quiet --release -p dossier-nlp --example timex_eval -- "$gold" > "$pred"
python3 "$scorer" "$gold" "$pred" "$@"
