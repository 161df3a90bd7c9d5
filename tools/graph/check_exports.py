#!/usr/bin/env python3
"""Reads GraphML / GEXF files written by dossier-graph with networkx and prints what it found.

A tool, not run in CI. The crate's tests leave samples in the cargo target dir:
    python3 tools/graph/check_exports.py "$CARGO_TARGET_DIR"/tmp/dossier-graph-test.{graphml,gexf}

networkx rejects mixed directed/undirected GEXF graphs (Gephi reads them); such files are reported,
not failed.
"""

import sys

import networkx as nx


def main(paths):
    failed = False
    for path in paths:
        try:
            if path.endswith(".gexf"):
                g = nx.read_gexf(path)
            else:
                g = nx.read_graphml(path)
        except nx.NetworkXError as e:
            if "Directed edge found in undirected graph" in str(e):
                print(f"{path}: mixed graph (fine for Gephi, not readable by networkx)")
                continue
            print(f"{path}: FAILED: {e}")
            failed = True
            continue
        node_keys = sorted({k for _, d in g.nodes(data=True) for k in d})
        edge_keys = sorted({k for _, _, d in g.edges(data=True) for k in d})
        print(f"{path}: {g}; node attributes {node_keys}; edge attributes {edge_keys}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
