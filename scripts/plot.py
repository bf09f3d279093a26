#!/usr/bin/env python3
"""Bar charts of `dynavp reproduce` CSVs (DyPipe Figs. 8-11), as PNG.

usage: python3 scripts/plot.py <experiment>.csv [-o out.png]

dypipe-fig8/9/10: execution time per workload, one bar per pipeline (none,
static, dynamic), normalised to static (or to dynamic where static cannot run).
dypipe-fig11: the dynamic pipeline's time split into COM & IO and CF & CTX.
Needs Debian's python3-matplotlib (scripts/setup.sh installs it).
"""
import argparse
import csv
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("-o", "--out", help="PNG to write (default: the CSV's name with .png)")
    a = ap.parse_args()
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("plot.py: error: matplotlib is missing (apt-get install python3-matplotlib, or bash scripts/setup.sh)")
    try:
        with open(a.csv, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        sys.exit(f"plot.py: error: {a.csv}: {e.strerror}")
    need = {"experiment", "workload", "pipeline", "cycles"}
    if not rows or not need <= set(rows[0]):
        sys.exit(f"plot.py: error: {a.csv}: not a dynavp reproduce CSV (needs columns {', '.join(sorted(need))})")
    exp = rows[0]["experiment"]
    out = a.out or os.path.splitext(a.csv)[0] + ".png"
    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    cyc = {(r["workload"], r["pipeline"]): float(r["cycles"]) for r in rows}
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(workloads) + 2), 4))
    x = range(len(workloads))
    if exp == "dypipe-fig11":
        dyn = [cyc[(w, "dynamic")] for w in workloads]
        free = [cyc[(w, "dynamic-without-cf-ctx")] for w in workloads]
        com = [f / d for f, d in zip(free, dyn)]
        cf = [1 - c for c in com]
        ax.bar(x, com, label="COM & IO")
        ax.bar(x, cf, bottom=com, label="CF & CTX")
        ax.set_ylabel("share of the dynamic pipeline's time")
    else:
        pipes = ["none", "static", "dynamic"]
        width = 0.8 / len(pipes)
        for i, p in enumerate(pipes):
            vals = []
            for w in workloads:
                base = cyc.get((w, "static")) or cyc[(w, "dynamic")]
                vals.append(cyc[(w, p)] / base if (w, p) in cyc else 0.0)
            ax.bar([xi + (i - 1) * width for xi in x], vals, width, label=p)
        for xi, w in zip(x, workloads):
            if (w, "static") not in cyc:  # static pipelining cannot run it (e.g. the tree-RNN)
                ax.text(xi, 0.05, "static: n/a", ha="center", rotation=90, fontsize=8)
        ax.set_ylabel("execution time / static (or / dynamic)")
    ax.set_xticks(list(x))
    ax.set_xticklabels(workloads, rotation=30, ha="right")
    ax.set_title(f"{exp} (dynavp)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print(f"plot.py: wrote {out}")


if __name__ == "__main__":
    main()
