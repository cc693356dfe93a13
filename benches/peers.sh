#!/usr/bin/env bash
# Peer benchmark: frametag against scikit-learn, fastText and Vowpal Wabbit.
#
#   bash benches/peers.sh                            # full run: 1M-row training set, 500 MB to score
#   bash benches/peers.sh --large 200000 --score-mb 50   # quick run
#
# From a clean clone this
#   1. creates benches/.venv with python3 and installs the pinned peers from
#      PyPI (benches/peers/requirements.txt), again only when that file changes;
#   2. builds frametag in release mode (cargo build --release);
#   3. runs benches/peers/run.py: training on corpus/train.csv and on a
#      resampled large set, scoring a large article corpus, on 1 and 2
#      threads, and prints one table.
# Results: benches/out/peers/results.md and results.json; generated data:
# benches/out/data/. See BENCHMARKS.md for what each tool is given.
#
# Options (all passed on to run.py):
#   --large N        rows of the resampled training set (default 1000000; 0 skips it)
#   --score-mb N     size of the article corpus to score, MB (default 500)
#   --threads LIST   thread counts (default 1,2)
#   --tools LIST     subset of frametag,sklearn,fasttext,vw (default all)
#   --parts LIST     train, score or train,score (default both)
#   --seed N         resampling seed (default 42)
#   --large-alpha A  frametag-train --alpha for the resampled set (default 0.05)
#   --keep-outputs   keep the (large) scoring outputs under benches/out/peers/score
#   --repeat N       run each measurement N times, keep the fastest (default 1)
#   --quiet-wait S   before each run wait up to S seconds for the CPUs to be idle
#                    (on a shared machine; other processes' CPU use is reported anyway)
# Environment: PYTHON (default python3) is used to create the venv;
# SKIP_BUILD=1 skips cargo build; CARGO_TARGET_DIR is honoured.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/benches/.venv"
requirements="$root/benches/peers/requirements.txt"
python="${PYTHON:-python3}"

for arg in "$@"; do
    case "$arg" in
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    esac
done

say() { printf '[peers.sh] %s\n' "$*" >&2; }

# 1. Virtual environment with the peers.
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
    say "need Python >= 3.9 as '$python' (set PYTHON=...)"
    exit 1
fi
if [[ ! -x "$venv/bin/python" ]]; then
    say "creating $venv"
    "$python" -m venv "$venv"
fi
stamp="$venv/.peers-requirements"
if [[ ! -f "$stamp" ]] || ! cmp -s "$requirements" "$stamp"; then
    say "installing peers from PyPI ($requirements)"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet -r "$requirements"
    cp "$requirements" "$stamp"
fi

# 2. frametag release build.
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    command -v cargo >/dev/null || {
        say "cargo not found: install Rust (https://rustup.rs)"
        exit 1
    }
    say "cargo build --release"
    (cd "$root" && cargo build --release --quiet --bins)
fi
target="${CARGO_TARGET_DIR:-target}"
[[ "$target" == /* ]] || target="$root/$target" # cargo ran in $root
for bin in frametag-train frametag-score; do
    [[ -x "$target/release/$bin" ]] || {
        say "missing $target/release/$bin"
        exit 1
    }
done

# 3. The benchmark. Quote the arguments back for the record in the results.
command="bash benches/peers.sh"
for arg in "$@"; do
    if [[ "$arg" =~ ^[A-Za-z0-9_.,:/=+-]+$ ]]; then command+=" $arg"; else command+=" ${arg@Q}"; fi
done
exec "$venv/bin/python" "$root/benches/peers/run.py" --root "$root" --bin-dir "$target/release" \
    --command "$command" "$@"
