"""Run bench_parse.py and bench_build.py (or read their JSON) and print the comparison as
markdown tables: parsing, then building and editing.

    python -m benchmarks.report                  # run the benchmarks, then print
    python -m benchmarks.report --json out.json  # print from an earlier --benchmark-json
    python -m benchmarks.report --memory         # also bench_memory.py's figures (N=10000)
    python -m benchmarks.report --save-json out.json --stat mean

Run from the repository root.  Extra arguments after ``--`` go to pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile

from benchmarks import compare

GROUPS = ("(a) parse", "(b) parse + read")
# bench_build.py's groups, and the Cython twin's target for each (µs per message).
BUILD_GROUPS = {
    "(1) proxy forward": 1.5,
    "(2) 200 OK": 1.0,
    "(3) 180 Ringing": 1.0,
    "(4) new INVITE": 2.0,
    "(5) serialise unmodified, 0.9 kB": None,  # O(1): see build_targets()
    "(5) serialise unmodified, 32 kB": None,
}
PYTEST = [
    "benchmarks/bench_parse.py", "benchmarks/bench_build.py", "-q", "-p", "no:cacheprovider",
    "--benchmark-enable", "--benchmark-only",  # pyproject's addopts disable benchmarks
    "--benchmark-warmup=on", "--benchmark-min-rounds=50", "--benchmark-max-time=3",
    "--benchmark-min-time=0.0005",  # several corpus passes per round: less timer overhead
]


def run(extra: list[str], save: str | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = save or os.path.join(tmp, "bench.json")
        subprocess.run([sys.executable, "-m", "pytest", *PYTEST, f"--benchmark-json={path}",
                        *extra], check=True, stdout=sys.stderr)
        with open(path) as file:
            return json.load(file)


def per_message(data: dict, stat: str) -> dict[tuple[str, str], float]:
    """(implementation, group) -> µs per message."""
    return {(bench["param"], bench["group"]):
            bench["stats"][stat] * 1e6 / bench["extra_info"]["messages_per_round"]
            for bench in data["benchmarks"]}


def parse_table(data: dict, stat: str) -> str:
    us = per_message(data, stat)
    names = [name for name in compare.NAMES if (name, GROUPS[1]) in us]
    base = us.get(("sipfast-cython", GROUPS[1]))
    lines = [("| implementation | version | (a) parse µs/msg | (b) parse + read µs/msg "
              "| (b) ÷ Cython twin's |"), "|---|---|--:|--:|--:|"]
    for name in names:
        ratio = f"{us[name, GROUPS[1]] / base:.1f}" if base else "n/a"
        lines.append(f"| {name} | {compare.version(name)} | {us[name, GROUPS[0]]:.2f} "
                     f"| {us[name, GROUPS[1]]:.2f} | {ratio} |")
    skipped = [name for name in compare.NAMES if name not in names]
    machine = data["machine_info"]
    lines += ["", (f"µs/msg = {stat} time to parse the 8-message corpus / 8; "
                   f"{machine['python_implementation']} {machine['python_version']}, "
                   f"{machine.get('cpu', {}).get('brand_raw', platform.machine())}.")]
    if skipped:
        lines.append(f"Not measured (skipped, see the pytest output): {', '.join(skipped)}.")
    lines += ["", *targets(us)]
    return "\n".join(lines)


def build_table(data: dict, stat: str) -> str:
    us = per_message(data, stat)
    groups = list(BUILD_GROUPS)
    names = [name for name in compare.NAMES if any((name, group) in us for group in groups)]
    base = us.get(("sipfast-cython", groups[0]))
    lines = [
        ("| implementation | version | (1) proxy forward | (2) 200 OK | (3) 180 "
         "| (4) new INVITE | (5) bytes() 0.9 kB | (5) bytes() 32 kB | (1) ÷ Cython twin's |"),
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name in names:
        cells = [f"{us[name, group]:.2f}" if (name, group) in us else "n/a" for group in groups]
        ratio = (f"{us[name, groups[0]] / base:.1f}"
                 if base and (name, groups[0]) in us else "n/a")
        lines.append(f"| {name} | {compare.version(name)} | {' | '.join(cells)} | {ratio} |")
    skipped = [name for name in compare.NAMES if name not in names]
    lines += ["", (f"µs per message, {stat} of the rounds (bench_build.py: (1)-(3) time "
                   "already parsed messages, (4) includes no identifier generation).")]
    if skipped:
        lines.append(f"Not measured (no build adapter or skipped): {', '.join(skipped)}.")
    lines += ["", *build_targets(us)]
    return "\n".join(lines)


def table(data: dict, stat: str) -> str:
    """The parse table, then the build table, each when its benchmarks are in `data`."""
    groups = {bench["group"] for bench in data["benchmarks"]}
    parts = []
    if groups & set(GROUPS):
        parts.append(parse_table(data, stat))
    if groups & set(BUILD_GROUPS):
        parts.append(build_table(data, stat))
    return "\n\n".join(parts)


def build_targets(us: dict[tuple[str, str], float]) -> list[str]:
    out = []
    for group, target in BUILD_GROUPS.items():
        value = us.get(("sipfast-cython", group))
        if target is None or value is None:
            continue
        out.append(f"- Cython twin {group} ≤ {target} µs: "
                   f"{'met' if value <= target else 'NOT met'} ({value:.2f})")
    small, large = (us.get(("sipfast-cython", group)) for group in list(BUILD_GROUPS)[4:])
    if small is not None and large is not None:
        ok = large <= 2 * small
        out.append(f"- Cython twin (5) O(1), 32 kB at most twice 0.9 kB: "
                   f"{'met' if ok else 'NOT met'} ({small:.3f} vs {large:.3f})")
    return out


def targets(us: dict[tuple[str, str], float]) -> list[str]:
    b = {name: value for (name, group), value in us.items() if group == GROUPS[1]}
    others = {name: value for name, value in b.items() if not name.startswith("sipfast")}
    out = []
    if "sipfast-cython" in b:
        ok = b["sipfast-cython"] <= 1.0
        out.append(f"- Cython twin (b) ≤ 1.0 µs/msg: {'met' if ok else 'NOT met'} "
                   f"({b['sipfast-cython']:.2f})")
    if "sipfast-python" in b and others:
        fastest = min(others, key=others.get)
        ok = b["sipfast-python"] < others[fastest]
        out.append(f"- Python twin (b) faster than every pure-Python library: "
                   f"{'met' if ok else 'NOT met'} ({b['sipfast-python']:.2f} vs {fastest} "
                   f"{others[fastest]:.2f})")
    return out


def memory() -> str:
    from benchmarks import bench_memory

    lines = [("| twin | retained B/INVITE | untraced | glibc heap | after (b) reads "
              "| untraced | glibc heap |"), "|---|--:|--:|--:|--:|--:|--:|"]
    keys = ("traced", "untraced", "heap", "traced_after_read", "untraced_after_read",
            "heap_after_read")
    for impl in bench_memory.TWINS:
        try:
            result = bench_memory.measure_all(impl)
        except ImportError as exc:
            lines.append(f"| {impl} | unavailable: {exc} |")
            continue
        lines.append(f"| {impl} | " + " | ".join(
            f"{result[key]:.0f}" if key in result else "n/a" for key in keys) + " |")
    return "\n".join([
        *lines, "", (f"Bytes beyond the input's, per INVITE, {bench_memory.N} kept alive; "
                     "untraced = C allocations tracemalloc missed (see bench_memory.py).  "
                     "Target: Cython twin retained (+ untraced) after parsing ≤ 1024.")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="read this pytest-benchmark JSON instead of running")
    parser.add_argument("--save-json", help="keep the pytest-benchmark JSON of the run here")
    parser.add_argument("--stat", default="median", choices=("median", "mean", "min"),
                        help="statistic over rounds (median: robust to a noisy machine)")
    parser.add_argument("--memory", action="store_true", help="also measure retained memory")
    parser.add_argument("pytest_args", nargs="*", help="after --: extra pytest arguments")
    args = parser.parse_args()
    if args.json:
        with open(args.json) as file:
            data = json.load(file)
    else:
        data = run(args.pytest_args, args.save_json)
    print(table(data, args.stat))
    if args.memory:
        print()
        print(memory())


if __name__ == "__main__":
    main()
