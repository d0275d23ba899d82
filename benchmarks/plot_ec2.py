"""Plot ``benchmarks/ec2_describe.py --json`` results: DescribeInstances
and GET /servers/detail p50/p99 (and CPU per request) against the
number of servers, on log axes, and print the Markdown tables the docs
show.

    .venv/bin/python benchmarks/plot_ec2.py results.json \
        -o docs/bench-ec2.png
"""

import argparse
import json

KINDS = (("ec2-all", "EC2 DescribeInstances (all)"),
         ("ec2-page", "EC2 DescribeInstances (MaxResults=1000)"),
         ("ec2-walk", "EC2 DescribeInstances (every page of 1000)"),
         ("os-page", "OpenStack GET /servers/detail (page of 1000)"))


def table(results):
    lines = ["| servers | request | p50 ms | p99 ms | CPU ms/request |",
             "|---:|---|---:|---:|---:|"]
    for row in results["lists"]:
        for kind, label in KINDS:
            if kind not in row:  # results from before the kind existed
                continue
            r = row[kind]
            lines.append(f"| {row['servers']} | {label} | {r['p50_ms']} | "
                         f"{r['p99_ms']} | {r['cpu_ms']} |")
    boots = results.get("boots")
    if boots:
        lines += ["", "| request | accepted/s | CPU ms/request |",
                  "|---|---:|---:|"]
        for kind, label in (("ec2-run", "EC2 RunInstances"),
                            ("os-create", "OpenStack POST /servers")):
            lines.append(f"| {label} | {boots[kind]['accepted_per_s']} | "
                         f"{boots[kind]['cpu_ms']} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    with open(args.results) as f:
        results = json.load(f)
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    sizes = [row["servers"] for row in results["lists"]]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for kind, label in KINDS:
        if kind not in results["lists"][0]:
            continue
        p50 = [row[kind]["p50_ms"] for row in results["lists"]]
        p99 = [row[kind]["p99_ms"] for row in results["lists"]]
        cpu = [row[kind]["cpu_ms"] for row in results["lists"]]
        line, = left.plot(sizes, p50, marker="o", label=f"{label} p50")
        left.plot(sizes, p99, marker="x", linestyle="--",
                  color=line.get_color(), label=f"{label} p99")
        right.plot(sizes, cpu, marker="o", color=line.get_color(),
                   label=label)
    for axis, title in ((left, "latency (ms)"),
                        (right, "CPU time per request (ms)")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("servers in the project")
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=6.5)
    right.legend(fontsize=6.5)
    boots = results.get("boots")
    if boots:
        fig.suptitle(
            f"RunInstances {boots['ec2-run']['accepted_per_s']}/s, "
            f"POST /servers {boots['os-create']['accepted_per_s']}/s "
            "accepted (fake hypervisor)", fontsize=9)
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(table(results))


if __name__ == "__main__":
    main()
