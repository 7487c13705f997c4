"""Run bench_parse.py (or read its JSON) and print the comparison as a markdown table.

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
PYTEST = [
    "benchmarks/bench_parse.py", "-q", "-p", "no:cacheprovider",
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


def table(data: dict, stat: str) -> str:
    us = per_message(data, stat)
    names = [name for name in compare.NAMES if (name, GROUPS[1]) in us]
    base = us.get(("sipfast-cython", GROUPS[1]))
    lines = ["| implementation | version | (a) parse µs/msg | (b) parse + read µs/msg "
             "| (b) ÷ Cython twin's |", "|---|---|--:|--:|--:|"]
    for name in names:
        ratio = f"{us[name, GROUPS[1]] / base:.1f}" if base else "n/a"
        lines.append(f"| {name} | {compare.version(name)} | {us[name, GROUPS[0]]:.2f} "
                     f"| {us[name, GROUPS[1]]:.2f} | {ratio} |")
    skipped = [name for name in compare.NAMES if name not in names]
    machine = data["machine_info"]
    lines += ["", f"µs/msg = {stat} time to parse the 8-message corpus / 8; "
              f"{machine['python_implementation']} {machine['python_version']}, "
              f"{machine.get('cpu', {}).get('brand_raw', platform.machine())}."]
    if skipped:
        lines.append(f"Not measured (skipped, see the pytest output): {', '.join(skipped)}.")
    lines += ["", *targets(us)]
    return "\n".join(lines)


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

    lines = ["| twin | retained B/INVITE | untraced | glibc heap | after (b) reads "
             "| untraced | glibc heap |", "|---|--:|--:|--:|--:|--:|--:|"]
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
    return "\n".join(lines + [
        "", f"Bytes beyond the input's, per INVITE, {bench_memory.N} kept alive; untraced = "
        "C allocations tracemalloc missed (see bench_memory.py).  Target: Cython twin "
        "retained (+ untraced) after parsing ≤ 1024."])


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
