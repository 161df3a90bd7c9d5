#!/usr/bin/env python3
"""Derives crates/nlp/data/heads.tsv: lower-case words that end a re3d gold entity.

For every lower-case word of the non-BBC re3d training documents (the BBC Online
documents are CC BY-NC and are not used), counts its occurrences and how often it is
the last word of a gold entity, per label. A word is kept when one label covers at
least MIN_RATE of its occurrences, at least MIN_HITS times, for the labels the
common-noun component adds (Organisation: "civilians", "regime"; Location:
"facility", "station"). Deterministic; words only, no text.

usage: python3 crates/nlp/models/tools/derive_heads.py ../shared/data/re3d/train.jsonl \
           > crates/nlp/data/heads.tsv
"""
import collections
import json
import re
import sys

MIN_RATE = 0.5
MIN_HITS = 2
LABELS = ("Organisation", "Location")
# Pronouns are the pronoun component's (src/pronouns.rs).
PRONOUNS = {"i", "we", "he", "she", "they", "it", "us", "them", "me", "him", "her", "my", "our"}
WORD = re.compile(r"[A-Za-z][\w\-’']*")


def main(path):
    occ = collections.Counter()
    hit = collections.defaultdict(collections.Counter)
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("source") == "BBC Online":
                continue
            t = d["text"]
            ends = {e["end"]: e for e in d["entities"]}
            for m in WORD.finditer(t):
                w = m.group()
                if not w[0].islower() or w in PRONOUNS:
                    continue
                occ[w] += 1
                e = ends.get(m.end())
                if e and e["start"] <= m.start():
                    hit[w][e["label"]] += 1
    print("# word\tlabel\tas entity end\toccurrences  (derive_heads.py: non-BBC re3d train)")
    for w in sorted(hit):
        label, n = sorted(hit[w].items(), key=lambda x: (-x[1], x[0]))[0]
        if label in LABELS and n >= MIN_HITS and n / occ[w] >= MIN_RATE:
            print(f"{w}\t{label}\t{n}\t{occ[w]}")


if __name__ == "__main__":
    main(sys.argv[1])
