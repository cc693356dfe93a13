#!/usr/bin/env bash
# Many-labels training benchmark: frametag-train with its defaults (penalty
# search included) against scikit-learn's TF-IDF + one-vs-rest logistic
# regression, on 10,000 paragraphs with 24 labels, same rows, same CPUs.
#
#   bash benches/many_labels.sh                     # 10,000 rows, 1 and 2 threads
#   bash benches/many_labels.sh --rows 5000 --threads 2
#
# A speed benchmark, not a quality claim: the labelled set is built at run
# time from the Reuters-21578 paragraphs of ../shared/data by keyword rules
# (see benches/peers/many_labels.py), written to benches/out/data/ and never
# committed. Needs ../shared/data/reuters21578/docs.jsonl (skipped with a
# message when absent).
#
# From a clean clone this creates benches/.venv (as benches/peers.sh does;
# only scikit-learn, SciPy, NumPy and joblib from
# benches/peers/requirements.txt are installed here), builds frametag in
# release mode and runs benches/peers/many_labels.py, which prints a table
# and writes benches/out/many-labels/results.json.
# Options are passed on to many_labels.py (--rows, --test-rows, --threads,
# --tools). Environment: PYTHON (default python3) creates the venv;
# SKIP_BUILD=1 skips cargo build; CARGO_TARGET_DIR is honoured.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/benches/.venv"
python="${PYTHON:-python3}"
say() { printf '[many_labels.sh] %s\n' "$*" >&2; }

for arg in "$@"; do
    case "$arg" in
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    esac
done

docs="$root/../shared/data/reuters21578/docs.jsonl"
if [[ ! -f "$docs" ]]; then
    say "skipped: $docs is absent"
    exit 0
fi
if [[ ! -x "$venv/bin/python" ]]; then
    say "creating $venv"
    "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import sklearn, scipy, numpy, joblib' 2>/dev/null; then
    say "installing scikit-learn from PyPI (pins of benches/peers/requirements.txt)"
    grep -E '^(scikit-learn|scipy|joblib|numpy)==' "$root/benches/peers/requirements.txt" >"$venv/many-labels-requirements.txt"
    "$venv/bin/pip" install --quiet -r "$venv/many-labels-requirements.txt"
fi
target="${CARGO_TARGET_DIR:-$root/target}"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    say "building frametag (release)"
    (cd "$root" && cargo build --release --quiet --bin frametag-train)
fi
cd "$root/benches/peers"
exec "$venv/bin/python" many_labels.py --binary "$target/release/frametag-train" "$@"
