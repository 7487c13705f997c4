"""The public API's types: the stubs as mypy --strict sees them, and as the twins run.

- mypy --strict on public_api.py: no error, and every reveal_type() gives the type its
  ``# revealed:`` comment says;
- public_api.py run on each twin: every revealed value's run-time type is one that the
  static type allows (the stubs can't claim what the twins don't give);
- stubtest: the stubs (_message_c.pyi, _values_c.pyi, _stream_c.pyi) against the built
  Cython modules (names, properties, signatures).

Run from the source tree they check src/sipfast; from a copy of tests/ next to an
installed wheel they check the stubs and modules the wheel installed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from _twins import require_c_twin

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE / "public_api.py"
ALLOWLIST = HERE / "stubtest_allowlist.txt"
COMPILED = ["sipfast.message._message_c", "sipfast.message._values_c", "sipfast.message._stream_c"]

_EXPECTED = re.compile(r"^\s*reveal_type\(.*\)\s*# revealed: (?P<type>.+?)\s*$")
_MYPY_LINE = re.compile(r"^public_api\.py:(?P<line>\d+): (?P<kind>error|note): (?P<text>.*)$")
_REVEALED = re.compile(r'^Revealed type is "(?P<type>.*)"$')
_RUNTIME = re.compile(r"^Runtime type is '(?P<name>\w+)'$")


@cache
def expectations() -> dict[int, str]:
    """Line number -> the type written in the ``# revealed:`` comment."""
    out = {}
    for n, line in enumerate(EXAMPLE.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("reveal_type("):
            m = _EXPECTED.match(line)
            assert m, f"public_api.py:{n}: reveal_type() without a '# revealed:' comment"
            out[n] = m["type"]
    assert len(out) > 50, "public_api.py lost its reveal_type() lines?"
    return out


def mypy_config(tmp_path: Path) -> Path:
    """Only --strict: not the project's mypy settings (the copy next to a wheel has none)."""
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\n", encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    tmp = tmp_path_factory.mktemp("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(mypy_config(tmp)),
         "--cache-dir", str(tmp / "cache"), "--no-error-summary", "--no-pretty",
         "--no-color-output", "--hide-error-context", EXAMPLE.name],
        cwd=HERE, capture_output=True, text=True, check=False,
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 2: mypy itself failed
    return proc.stdout.splitlines()


def test_mypy_strict_finds_no_error(mypy_output: list[str]) -> None:
    errors = [line for line in mypy_output if ": error: " in line]
    assert not errors, "\n".join(errors)


def test_revealed_types_are_the_written_ones(mypy_output: list[str]) -> None:
    revealed = {}
    for line in mypy_output:
        m = _MYPY_LINE.match(line)
        if m and m["kind"] == "note":
            r = _REVEALED.match(m["text"])
            if r:
                revealed[int(m["line"])] = r["type"]
    expected = expectations()
    assert revealed.keys() == expected.keys(), "mypy revealed other lines than expected"
    wrong = [f"line {n}: mypy says {revealed[n]}, the comment {t}"
             for n, t in expected.items() if revealed[n] != t]
    assert not wrong, "\n".join(wrong)


def _split_union(static: str) -> list[str]:
    """``A | dict[str, str | None]`` -> ``["A", "dict[str, str | None]"]``."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(static):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(static[start:i].strip())
            start = i + 1
    parts.append(static[start:].strip())
    return parts


def runtime_names(static: str) -> set[str]:
    """The ``type(x).__name__`` values a value of static type ``static`` may have."""
    names = set()
    for member in _split_union(static):
        if member == "None":
            names.add("NoneType")
        elif member.startswith("Literal["):
            value = member[len("Literal[") : -1]
            if value[0] in "'\"":
                names.add("str")
            elif value in ("True", "False"):
                names.add("bool")
            elif value.lstrip("-").isdigit():
                names.add("int")
            else:  # an enum member: module.Class.MEMBER
                names.add(value.split(".")[-2])
        else:
            names.add(member.split("[")[0].split(".")[-1])
    return names


def test_runtime_names_of_static_types() -> None:
    assert runtime_names("str | None") == {"str", "NoneType"}
    assert runtime_names("dict[str, str | None]") == {"dict"}
    assert runtime_names("Literal['cython'] | Literal['python']") == {"str"}
    assert runtime_names("Literal[a.keepalive.Keepalive.PING]") == {"Keepalive"}
    assert runtime_names("a._message_c.Request | a.keepalive.Keepalive") == {"Request", "Keepalive"}


@pytest.mark.parametrize("twin", ["c", "py"])
def test_run_time_types_are_the_revealed_ones(twin: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SIPFAST_NO_EXTENSIONS"}
    if twin == "c":
        require_c_twin()
    else:
        env["SIPFAST_NO_EXTENSIONS"] = "1"
    code = (
        "import runpy, sipfast; print(sipfast.IMPLEMENTATION);"
        f"runpy.run_path({str(EXAMPLE)!r}, run_name='__main__')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env,
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["cython" if twin == "c" else "python"]
    runtime = [m["name"] for line in proc.stderr.splitlines() if (m := _RUNTIME.match(line))]
    expected = expectations()
    assert len(runtime) == len(expected), proc.stderr
    wrong = [f"public_api.py:{n}: run-time type {name}, static type {static}"
             for (n, static), name in zip(expected.items(), runtime, strict=True)
             if name not in runtime_names(static)]
    assert not wrong, "\n".join(wrong)


def test_stubs_match_the_compiled_modules(tmp_path: Path) -> None:
    require_c_twin()
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "--mypy-config-file",
         str(mypy_config(tmp_path)), "--allowlist", str(ALLOWLIST),
         "--ignore-unused-allowlist", *COMPILED],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
