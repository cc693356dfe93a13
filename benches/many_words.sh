#!/usr/bin/env bash
# Memory benchmark: frametag-score's peak memory on an archive whose
# vocabulary never stops growing (names, typos and codes in a large real
# archive do the same, more slowly). The term cache is capped, so the peak
# must stay flat however many distinct words arrive.
#
#   bash benches/many_words.sh                # 40,000 records, ~34 MB, ~3.8 million distinct words
#   bash benches/many_words.sh --records 200000
#
# Generates benches/out/data/many-words-<N>.jsonl (seeded random letters,
# 8 sentences of 12 words per record; no real text), scores it with the
# built-in model at 1 and 2 threads (JSONL in, full CSV out) and prints
# wall time, user CPU and peak RSS from /usr/bin/time; the two outputs must
# be byte-identical. SKIP_BUILD=1 skips cargo build.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records=40000
while [[ $# -gt 0 ]]; do
    case "$1" in
    --records) records="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
cd "$root"
[[ "${SKIP_BUILD:-0}" = 1 ]] || cargo build --release --quiet --bin frametag-score
mkdir -p benches/out/data
data="benches/out/data/many-words-$records.jsonl"
if [[ ! -s "$data" ]]; then
    python3 - "$records" "$data" <<'PY'
import json, random, sys
n, path = int(sys.argv[1]), sys.argv[2]
r = random.Random(1)
letters = "abcdefghijklmnopqrstuvwxyz"
with open(path, "w") as f:
    for a in range(n):
        sents = []
        for _ in range(8):
            words = ["".join(r.choice(letters) for _ in range(r.randint(4, 11))) for _ in range(12)]
            sents.append(" ".join(words).capitalize() + ".")
        f.write(json.dumps({"id": str(a), "text": " ".join(sents)}) + "\n")
PY
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "input: $data ($(du -m "$data" | cut -f1) MB); machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs"
for t in 1 2; do
    /usr/bin/time -f "threads $t: %e s wall, %U s user, peak RSS %M KB" \
        target/release/frametag-score --threads "$t" --quiet --input-format jsonl \
        -o "$out/t$t.csv" "$data"
done
cmp "$out/t1.csv" "$out/t2.csv" && echo "outputs of 1 and 2 threads: byte-identical"
