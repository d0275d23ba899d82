"""Plot ``benchmarks/volume_ops.py --json`` runs of two versions side by
side: the service path's database transactions and CPU per create+delete
pair, and its time ratio to the same run's raw ``qemu-img create`` +
``rm`` (medians over the runs of each version).

    .venv/bin/python benchmarks/plot_volume_ops.py \
        --before b1.json b2.json --after a1.json a2.json \
        -o docs/bench-volume-ops.png

Prints the median table (Markdown) the plot shows.
"""

import argparse
import json
import statistics
import sys

FIGURES = (
    ("transactions per pair", lambda r: r["service"].get(
        "transactions_per_pair")),
    ("CPU ms per pair", lambda r: r["service"]["cpu_ms_per_pair"]),
    ("time ratio service/raw", lambda r: r["overhead_service_vs_raw"]),
)


def medians(runs):
    out = []
    for _, get in FIGURES:
        values = [get(r) for r in runs if get(r) is not None]
        out.append(statistics.median(values) if values else float("nan"))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", nargs="+", required=True)
    parser.add_argument("--after", nargs="+", required=True)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()

    def load(paths):
        return [json.load(open(p)) for p in paths]
    before, after = medians(load(args.before)), medians(load(args.after))
    print("| figure (median) | before | after |")
    print("|---|---|---|")
    for (name, _), b, a in zip(FIGURES, before, after, strict=True):
        print(f"| {name} | {b:.1f} | {a:.1f} |")

    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot
    fig, axes = pyplot.subplots(1, len(FIGURES), figsize=(10, 3.4))
    for ax, (name, _), b, a in zip(axes, FIGURES, before, after,
                                   strict=True):
        bars = ax.bar(["before", "after"], [b, a],
                      color=["#b0b0b0", "#3b75af"])
        ax.bar_label(bars, fmt="%.1f")
        ax.set_title(name, fontsize=10)
        ax.set_ylim(0, max(b, a) * 1.25)
    fig.suptitle("Volume create+delete through the service (file driver, "
                 "SQLite)", fontsize=11)
    fig.tight_layout()
    fig.savefig(args.output, dpi=100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
