#!/bin/sh
# Seeds each fuzz target's corpus with the repository's demo documents of its
# format (corpus/ is git-ignored; libFuzzer adds what it finds there).
set -e
cd "$(dirname "$0")"
seed() { # target extension...
    t=$1; shift
    mkdir -p "corpus/$t"
    for ext in "$@"; do
        for f in ../corpus/demo/docs/*."$ext"; do
            [ -e "$f" ] && cp "$f" "corpus/$t/"
        done
    done
    return 0
}
seed html html
seed docx docx
seed eml eml
seed mbox mbox
seed jsonl jsonl
seed text txt
seed markdown md
seed pdf pdf
seed sniff html eml mbox jsonl txt md pdf docx
