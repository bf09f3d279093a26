#!/usr/bin/env python3
"""Bar charts of `dynavp reproduce` CSVs (DyPipe Figs. 8-11, DNA Figs. 12, 15, 17), as PNG.

usage: python3 scripts/plot.py <experiment>.csv [-o out.png]

dypipe-fig8/9/10: execution time per workload, one bar per pipeline (none,
static, dynamic), normalised to static (or to dynamic where static cannot run).
dypipe-fig11: the dynamic pipeline's time split into COM & IO and CF & CTX.
dna-fig12: speedup and energy saving over baseline per model, one bar per design.
dna-fig15: the dna design's energy per component, stacked, per model.
dna-fig17: feature / weight off-chip access reduction and prediction accuracy,
ours beside the paper's.
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
    out = a.out or os.path.splitext(a.csv)[0] + ".png"
    cols = set(rows[0]) if rows else set()
    if {"model", "design", "speedup", "energy_saving"} <= cols:
        return plot_dna_fig12(plt, rows, out)
    if {"model", "component", "share"} <= cols:
        return plot_dna_fig15(plt, rows, out)
    if {"model", "feature_reduction", "weight_reduction", "accuracy"} <= cols:
        return plot_dna_fig17(plt, rows, out)
    need = {"experiment", "workload", "pipeline", "cycles"}
    if not rows or not need <= cols:
        sys.exit(f"plot.py: error: {a.csv}: not a dynavp reproduce CSV (needs columns {', '.join(sorted(need))})")
    exp = rows[0]["experiment"]
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


def finish(fig, out):
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print(f"plot.py: wrote {out}")


def plot_dna_fig12(plt, rows, out):
    models = list(dict.fromkeys(r["short"] for r in rows))
    designs = ["online", "prefetch", "dna", "oracle"]
    val = {(r["short"], r["design"]): r for r in rows}
    fig, axes = plt.subplots(2, 1, figsize=(max(7, 1.0 * len(models) + 2), 6), sharex=True)
    width = 0.8 / len(designs)
    for ax, key, label in ((axes[0], "speedup", "speedup over baseline"), (axes[1], "energy_saving", "energy saving over baseline")):
        for i, d in enumerate(designs):
            ax.bar([m + (i - 1.5) * width for m in range(len(models))], [float(val[(m, d)][key]) for m in models], width, label=d)
        ax.axhline(1.0, color="grey", linewidth=0.8)
        ax.set_ylabel(label)
    axes[0].set_title("DNA Fig. 12 on dynavp (paper geomean: online 1.73x, prefetch 1.70x, dna 3.48x)")
    axes[0].legend(ncol=4, fontsize=8)
    axes[1].set_xticks(list(range(len(models))))
    axes[1].set_xticklabels(models, rotation=30, ha="right")
    finish(fig, out)


def plot_dna_fig15(plt, rows, out):
    models = list(dict.fromkeys(r["short"] for r in rows))
    parts = [p for p in dict.fromkeys(r["component"] for r in rows) if p not in ("misprediction", "data_movement")]
    share = {(r["short"], r["component"]): float(r["share"]) for r in rows}
    fig, ax = plt.subplots(figsize=(max(7, 1.0 * len(models) + 3), 4))
    bottom = [0.0] * len(models)
    for p in parts:
        v = [share.get((m, p), 0.0) for m in models]
        ax.bar(range(len(models)), v, bottom=bottom, label=p)
        bottom = [b + x for b, x in zip(bottom, v)]
    ax.set_ylabel("share of the dna design's energy")
    ax.set_xticks(list(range(len(models))))
    ax.set_xticklabels(models, rotation=30, ha="right")
    ax.set_title("DNA Fig. 15a on dynavp: energy breakdown")
    ax.legend(fontsize=7, bbox_to_anchor=(1.01, 1), loc="upper left")
    finish(fig, out)


def plot_dna_fig17(plt, rows, out):
    models = [r["short"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(max(10, 1.6 * len(models) + 4), 4))
    for ax, key, title in zip(axes, ("feature_reduction", "weight_reduction", "accuracy"),
                              ("feature access reduction", "weight access reduction", "prediction accuracy")):
        ours = [float(r[key]) for r in rows]
        paper = [float(r["paper_" + key.split("_")[0]]) if r.get("paper_" + key.split("_")[0]) else 0.0 for r in rows]
        ax.bar([i - 0.2 for i in range(len(models))], ours, 0.4, label="dynavp")
        ax.bar([i + 0.2 for i in range(len(models))], paper, 0.4, label="DNA paper")
        ax.set_title(title)
        ax.set_xticks(list(range(len(models))))
        ax.set_xticklabels(models, rotation=45, ha="right", fontsize=8)
    axes[0].legend(fontsize=8)
    finish(fig, out)


if __name__ == "__main__":
    main()
