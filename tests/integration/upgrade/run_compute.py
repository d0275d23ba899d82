"""Run nimbus-compute from the first ``nimbus`` on ``sys.path`` and record
where its code came from.

Usage: ``python run_compute.py REPORT_JSON --config-file FILE``. The
upgrade test starts it with ``PYTHONPATH`` pointing at the previous
release, so the report shows which code really ran.
"""

import json
import sys


def main():
    report, argv = sys.argv[1], sys.argv[2:]
    import nimbus
    from nimbus.cli.daemons import compute
    from nimbus.core.objects import compute_node
    from nimbus.plugins.hypervisors.fake import driver
    with open(report, "w") as out:
        json.dump({"nimbus": nimbus.__file__,
                   "daemon": compute.__file__,
                   "fake_driver": driver.__file__,
                   "compute_node_version": compute_node.ComputeNode.VERSION},
                  out)
    return compute.main(argv)


if __name__ == "__main__":
    sys.exit(main())
