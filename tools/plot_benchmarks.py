"""Plot the benchmark figures of ``docs/figures/benchmarks.json``.

    python tools/plot_benchmarks.py docs/figures/benchmarks.json -o docs

Writes one PNG per figure (``bench-<name>.png``) and prints their paths.
Run by ``tools/render-docs.sh``; needs matplotlib (``nimbus[docs]``).
"""

import argparse
import json
import os
import statistics

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend

COLORS = ("#607d8b", "#1e88e5", "#43a047", "#fb8c00")


def boot_throughput(ax, fig):
    modes = fig["modes"]
    names = list(modes)
    medians = [statistics.median(runs) for runs in modes.values()]
    ax.bar(names, medians, color=COLORS[:len(names)], width=0.5,
           label="median")
    for i, runs in enumerate(modes.values()):
        ax.scatter([i] * len(runs), runs, color="black", zorder=3, s=14,
                   label="runs" if i == 0 else None)
        ax.annotate(f"{medians[i]:.1f}", (i, medians[i]),
                    textcoords="offset points", xytext=(0, 4),
                    ha="center")
    if "target" in fig:
        ax.axhline(fig["target"], color="gray", linestyle="--", linewidth=1,
                   label=f"target {fig['target']}")
    ax.legend(loc="lower right")


def boot_vs_previous(ax, fig):
    runs = fig["runs"]
    names = list(runs)
    width = 0.38
    for s, series in enumerate(fig["series"]):
        xs = [i + (s - 0.5) * width for i in range(len(names))]
        values = [pair[s] for pair in runs.values()]
        ax.bar(xs, values, width, label=series, color=COLORS[s])
    ax.set_xticks(range(len(names)), names)
    ax.legend()


def api_list(ax, fig):
    xs = [str(n) for n in fig["servers"]]
    ax.plot(xs, fig["p50"], marker="o", label="p50", color=COLORS[1])
    ax.plot(xs, fig["p99"], marker="o", label="p99", color=COLORS[3])
    ax.set_xlabel("servers in the database (1,000 returned at most)")
    ax.legend()


def libvirt_spawn(ax, fig):
    names = list(fig["bars"])
    values = list(fig["bars"].values())
    ax.bar(names, values, color=COLORS[:2], width=0.5)
    ratio = values[0] / values[1]
    ax.set_xlabel(f"ratio {ratio:.2f} (target at most "
                  f"{fig['target_ratio']})")


def boot_networks(ax, fig):
    """Pairs (without, with networks) per measurement, and their ratio."""
    boot_vs_previous(ax, fig)
    for i, (without, with_) in enumerate(fig["runs"].values()):
        ax.annotate(f"x{with_ / without:.2f}", (i, max(without, with_)),
                    textcoords="offset points", xytext=(0, 4), ha="center")
    ax.set_xlabel(f"ratio with/without networks (target at least "
                  f"{fig['target_ratio']})")
    ax.tick_params(axis="x", labelsize=7)
    # Room for each pair's three-line label as the measurements add up.
    ax.figure.set_size_inches(max(7, 0.85 * len(fig["runs"])), 4.5)


def live_migration(ax, fig):
    """Medians and runs of each step; the xlabel gives the live-migration
    ratio (nimbus over raw virsh, the first two bars)."""
    boot_throughput(ax, {"modes": fig["runs"]})
    medians = [statistics.median(runs) for runs in fig["runs"].values()]
    ax.set_xlabel(f"live migration nimbus/virsh {medians[0] / medians[1]:.2f}x"
                  f" (goal at most {fig['target_ratio']}x)")
    ax.tick_params(axis="x", labelsize=8)
    ax.legend(loc="upper right")


def scale(ax, fig):
    """One panel per figure of the simulated cloud: each measurement's
    median (bar) and runs (dots) against the target (dashed line).
    Returns True: the panels replace the figure's one axes."""
    figure = ax.figure
    ax.remove()
    panels = fig["metrics"]
    bars = max(len(panel["runs"]) for panel in panels.values())
    figure.set_size_inches(max(3.2, 0.6 * bars) * len(panels), 4.4)
    figure.suptitle(fig["title"], fontsize=10)
    for i, (name, panel) in enumerate(panels.items()):
        sub = figure.add_subplot(1, len(panels), i + 1)
        runs = panel["runs"]
        medians = [statistics.median(values) for values in runs.values()]
        sub.bar(list(runs), medians, color=COLORS[:len(runs)], width=0.5)
        for x, values in enumerate(runs.values()):
            sub.scatter([x] * len(values), values, color="black", zorder=3,
                        s=10)
            sub.annotate(f"{medians[x]:g}", (x, medians[x]),
                         textcoords="offset points", xytext=(0, 3),
                         ha="center", fontsize=8)
        sub.axhline(panel["target"], linestyle="--", color="#e53935",
                    label=f"target {panel['better']} {panel['target']:g}")
        if panel.get("log"):
            sub.set_yscale("log")
        sub.set_title(name, fontsize=9)
        sub.tick_params(axis="x", labelsize=7)
        sub.legend(fontsize=7)
        sub.grid(axis="y", alpha=0.3)
    return True


PLOTS = {"boot_throughput": boot_throughput,
         "boot_rounds": boot_throughput, "boot_cpu": boot_throughput,
         "boot_issue17": boot_throughput,
         "boot_vs_previous": boot_vs_previous, "api_list": api_list,
         "libvirt_spawn": libvirt_spawn, "boot_networks": boot_networks,
         "live_migration": live_migration, "scale": scale}


def render(data, outdir):
    paths = []
    for name, plot in PLOTS.items():
        fig_data = data[name]
        figure, ax = plt.subplots(figsize=(7, 4), dpi=100)
        if not plot(ax, fig_data):  # True: it laid out its own panels
            ax.set_title(fig_data["title"], fontsize=10)
            ax.set_ylabel(fig_data["unit"])
            ax.grid(axis="y", alpha=0.3)
        figure.tight_layout()
        path = os.path.join(outdir, f"bench-{name.replace('_', '-')}.png")
        figure.savefig(path, metadata={"Software": None})
        plt.close(figure)
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("-o", "--outdir", default="docs")
    args = parser.parse_args()
    with open(args.data) as f:
        data = json.load(f)
    for path in render(data, args.outdir):
        print(path)


if __name__ == "__main__":
    main()
