"""Plot the medians of several ``benchmarks/scheduler.py --json`` runs.

    .venv/bin/python benchmarks/plot_scheduler.py run1.json run2.json \
        run3.json -o docs/scheduler-decisions.png

Prints the median table (Markdown) the plot shows. The pgbench line is
the median of the runs' baselines; the PostgreSQL points are medians of
decisions/s and of each run's ratio to its own pgbench figure.
"""

import argparse
import json
import statistics
import sys


def medians(runs):
    """Return ``{(hosts, backend): (median rate, median ratio)}`` and
    the median pgbench tps."""
    rates = {}
    for run in runs:
        for row in run:
            key = (row["hosts"], row["backend"])
            ratio = row["decisions_per_s"] / row["pgbench_tps"]
            rates.setdefault(key, []).append((row["decisions_per_s"], ratio))
    table = {key: (statistics.median(r for r, _ in values),
                   statistics.median(q for _, q in values))
             for key, values in rates.items()}
    baseline = statistics.median(run[0]["pgbench_tps"] for run in runs)
    return table, baseline


def markdown(table, baseline, runs):
    """The docs table: one row per host count."""
    lines = ["| hosts | in memory (decisions/s) | PostgreSQL claims "
             "(decisions/s) | share of same-run pgbench |",
             "|---|---|---|---|"]
    for hosts in sorted({h for h, _ in table}):
        memory = table[(hosts, "memory")][0]
        rate, ratio = table[(hosts, "postgresql")]
        lines.append(f"| {hosts:,} | {memory:,.0f} | {rate:,.0f} | "
                     f"{ratio:.0%} |")
    lines.append(f"\npgbench -N -c 1: median {baseline:,.0f} tps over "
                 f"{runs} runs.")
    return "\n".join(lines)


def plot(table, baseline, path):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot
    fig, ax = pyplot.subplots(figsize=(6, 4))
    for backend in ("memory", "postgresql"):
        points = sorted((h, v[0]) for (h, b), v in table.items()
                        if b == backend)
        ax.plot([h for h, _ in points], [r for _, r in points], "o-",
                label=backend)
    ax.axhline(baseline, color="grey", linestyle="--",
               label=f"pgbench -N ({baseline:.0f} tps)")
    ax.axhline(baseline / 2, color="grey", linestyle=":",
               label="half of pgbench (target)")
    ax.set(xscale="log", yscale="log", xlabel="hosts",
           ylabel="decisions / s (filter + weigh + claim)",
           title="nimbus scheduler, one thread, 2-core machine (medians)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", help="--json outputs")
    parser.add_argument("-o", "--output", help="PNG to write")
    args = parser.parse_args(argv)
    runs = []
    for name in args.runs:
        with open(name) as f:
            runs.append(json.load(f))
    table, baseline = medians(runs)
    print(markdown(table, baseline, len(runs)))
    if args.output:
        plot(table, baseline, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
