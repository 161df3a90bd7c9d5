#!/usr/bin/env python3
"""Reference answers for dossier-graph's correctness tests, computed with networkx.

Generates a seeded random graph (a random spanning tree plus preferentially attached extra edges,
so degrees are skewed), gives each edge evidence counts and dates, computes the evidence strength
with the same formula as crates/graph/src/strength.rs, and writes networkx's answers:
weighted shortest-path costs (cost = 1 / strength), k shortest simple paths (k = 10), unweighted
normalised betweenness, weighted PageRank (weight = strength) and the best modularity of
networkx's Louvain over five seeds.

A tool, not run in CI:
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install networkx numpy scipy
    /tmp/venv/bin/python tools/graph/reference.py > crates/graph/tests/fixtures/reference.json
"""

import itertools
import json
import math
import random
import sys

import networkx as nx

SEED = 20261123
N_NODES = 80
N_EXTRA_EDGES = 140
KINDS = ["co_mention", "relation", "role", "quote"]

# Mirror of StrengthModel::default() in crates/graph/src/strength.rs.
HALF_LIFE = 365.0
FLOOR = 0.5
UNDATED = 0.75
DOC_WEIGHT = 2.0


def strength(sentences, docs, last_seen, as_of):
    s = max(sentences, 1)
    d = max(docs, 1)
    base = math.log(1 + s) + DOC_WEIGHT * math.log(1 + d)
    if last_seen is not None and as_of is not None:
        age = max(as_of - last_seen, 0)
        rec = FLOOR + (1 - FLOOR) * 0.5 ** (age / HALF_LIFE)
    else:
        rec = UNDATED
    return base * rec


def main():
    rng = random.Random(SEED)
    ids = rng.sample(range(-5000, 50000), N_NODES)
    pairs = set()
    order = list(range(N_NODES))
    rng.shuffle(order)
    # Random spanning tree: connected, so PageRank has no dangling nodes.
    for i in range(1, N_NODES):
        a, b = order[i], order[rng.randrange(i)]
        pairs.add((min(a, b), max(a, b)))
    deg = [0] * N_NODES
    for a, b in pairs:
        deg[a] += 1
        deg[b] += 1
    while len(pairs) < N_NODES - 1 + N_EXTRA_EDGES:
        a = rng.randrange(N_NODES)
        # Preferential attachment for the other end.
        b = rng.choices(range(N_NODES), weights=[d + 1 for d in deg])[0]
        if a == b:
            continue
        p = (min(a, b), max(a, b))
        if p in pairs:
            continue
        pairs.add(p)
        deg[a] += 1
        deg[b] += 1

    edges = []
    for a, b in sorted(pairs):
        sentences = rng.randint(1, 40)
        docs = rng.randint(1, min(sentences, 12))
        if rng.random() < 0.75:
            last = rng.randint(18000, 20000)
            first = last - rng.randint(0, 900)
        else:
            first = last = None
        edges.append(
            {
                "src": ids[a],
                "dst": ids[b],
                "kind": rng.choice(KINDS),
                "sentences": sentences,
                "docs": docs,
                "first_seen": first,
                "last_seen": last,
            }
        )
    as_of = max(e["last_seen"] for e in edges if e["last_seen"] is not None)
    g = nx.Graph()
    g.add_nodes_from(ids)
    for e in edges:
        st = strength(e["sentences"], e["docs"], e["last_seen"], as_of)
        e["strength"] = st
        g.add_edge(e["src"], e["dst"], strength=st, cost=1.0 / st)

    sources = rng.sample(ids, 6)
    shortest = []
    for s in sources:
        lengths = nx.single_source_dijkstra_path_length(g, s, weight="cost")
        shortest.append({"source": s, "costs": sorted([t, c] for t, c in lengths.items())})

    hops = []
    for s in sources:
        lengths = nx.single_source_shortest_path_length(g, s)
        hops.append({"source": s, "hops": sorted([t, h] for t, h in lengths.items())})

    k_paths = []
    for s, t in rng.sample(list(itertools.combinations(ids, 2)), 5):
        paths = list(itertools.islice(nx.shortest_simple_paths(g, s, t, weight="cost"), 10))
        k_paths.append(
            {
                "source": s,
                "target": t,
                "costs": [nx.path_weight(g, p, "cost") for p in paths],
                "paths": paths,
            }
        )

    bc = nx.betweenness_centrality(g, normalized=True)
    pr = nx.pagerank(g, alpha=0.85, weight="strength", tol=1e-13, max_iter=10000)
    louvain_q = max(
        nx.community.modularity(g, nx.community.louvain_communities(g, weight="strength", seed=s), weight="strength")
        for s in range(5)
    )

    out = {
        "generator": "tools/graph/reference.py",
        "networkx": nx.__version__,
        "seed": SEED,
        "as_of": as_of,
        "kinds": KINDS,
        "nodes": ids,
        "edges": edges,
        "shortest": shortest,
        "hops": hops,
        "k_shortest": k_paths,
        "betweenness": sorted([n, v] for n, v in bc.items()),
        "pagerank": sorted([n, v] for n, v in pr.items()),
        "louvain_modularity": louvain_q,
    }
    json.dump(out, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
