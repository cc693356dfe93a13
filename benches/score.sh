#!/usr/bin/env bash
# Scoring benchmark (issue #14): frametag-score end to end on real articles,
# one and two threads, against fastText's C++ `predict-prob` on the same
# sentences, in one run.
#
#   bash benches/score.sh                 # 100 MB of JSONL, best of 3
#   bash benches/score.sh --mb 20 --repeat 1
#
# Steps:
#   1. cargo build --release (SKIP_BUILD=1 skips it);
#   2. benches/out/data/articles-<MB>mb.jsonl: the real articles of
#      ../shared/data repeated to <MB> MB (benches/peers/prepare.py; without
#      ../shared it falls back to corpus/articles, and says so);
#   3. frametag-score --model models/frametag-en.ftm, JSONL in, full CSV out
#      (offsets, labels, scores, text), pinned with taskset to 1 CPU for
#      --threads 1 and 2 CPUs for --threads 2; the outputs of both thread
#      counts must be byte-identical (checked with cmp);
#   4. fastText (Debian's `fasttext` C++ CLI, `apt-get install fasttext`):
#      `fasttext supervised` on corpus/train.csv with the settings of
#      benches/peers (one-vs-all, word bigrams, lr 0.5, 25 epochs, dim 50,
#      200k buckets, lowercased with punctuation split off), then
#      `fasttext predict-prob model.bin sentences.txt -1 0.5` on the
#      sentences frametag found, preprocessed the same way (preprocessing
#      not timed), pinned to 1 CPU (the CLI predicts on one thread).
# Each timing is the fastest of --repeat runs (default 3); peak RSS from
# /usr/bin/time. MB/s is the JSONL size over wall time for both tools.
# Options: --mb N (default 100), --repeat N (default 3), --keep (keep outputs),
# --reference FILE (also cmp the 1-thread output with FILE).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mb=100 repeat=3 keep=0 reference=""
while [[ $# -gt 0 ]]; do
    case "$1" in
    --mb) mb="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --reference) reference="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
say() { printf '[score.sh] %s\n' "$*" >&2; }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    say "cargo build --release"
    (cd "$root" && nice -n 10 cargo build --release --quiet --bins)
fi
target="${CARGO_TARGET_DIR:-target}"
[[ "$target" == /* ]] || target="$root/$target"
score="$target/release/frametag-score"
data="$root/benches/out/data"
out="$root/benches/out/score"
mkdir -p "$data" "$out"
articles="$data/articles-${mb}mb.jsonl"
if [[ ! -s "$articles" ]]; then
    say "building $articles"
    python3 "$root/benches/score_inputs.py" articles "$mb" "$articles" >&2
fi
bytes=$(stat -c %s "$articles")

# best_of CMD...: runs CMD $repeat times; prints "wall_s user_s sys_s maxrss_kb" of the fastest.
best_of() {
    local best="" line
    for _ in $(seq "$repeat"); do
        line=$({ /usr/bin/time -f "%e %U %S %M" "$@" >/dev/null; } 2>&1 | tail -1)
        if [[ -z "$best" ]] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then
            best="$line"
        fi
    done
    echo "$best"
}

model="$root/models/frametag-en.ftm"
declare -A result
for t in 1 2; do
    cpus=0
    [[ $t == 2 ]] && cpus=0,1
    say "frametag-score --threads $t (CPUs $cpus)"
    result[$t]=$(best_of taskset -c "$cpus" "$score" --model "$model" --input-format jsonl \
        --text-field text --id-field id --output-format csv -o "$out/frametag-$t.csv" \
        --threads "$t" --quiet "$articles")
done
cmp "$out/frametag-1.csv" "$out/frametag-2.csv" || { say "outputs differ between 1 and 2 threads"; exit 1; }
if [[ -n "$reference" ]]; then
    cmp "$out/frametag-1.csv" "$reference" || { say "output differs from $reference"; exit 1; }
fi

ft=""
if command -v fasttext >/dev/null; then
    say "fastText: training on corpus/train.csv, preparing sentences"
    python3 "$root/benches/score_inputs.py" fasttext-train "$root/corpus/train.csv" "$out/ft-train.txt"
    fasttext supervised -input "$out/ft-train.txt" -output "$out/ft-model" -loss one-vs-all \
        -wordNgrams 2 -lr 0.5 -epoch 25 -dim 50 -bucket 200000 -seed 0 -thread 2 -verbose 0 >/dev/null
    sentences=$(python3 "$root/benches/score_inputs.py" fasttext-sentences "$out/frametag-1.csv" "$out/ft-sentences.txt")
    say "fastText predict-prob ($sentences)"
    ft=$(best_of taskset -c 0 fasttext predict-prob "$out/ft-model.bin" "$out/ft-sentences.txt" -1 0.5)
else
    say "fasttext not found (apt-get install fasttext): fastText skipped"
fi

n=$(python3 -c "import csv,sys; csv.field_size_limit(1<<30); print(sum(1 for _ in csv.reader(open(sys.argv[1], newline='', encoding='utf-8'))) - 1)" "$out/frametag-1.csv")
row() { # name threads "wall user sys rss"
    read -r wall user sys rss <<<"$3"
    awk -v name="$1" -v t="$2" -v wall="$wall" -v user="$user" -v sys="$sys" -v rss="$rss" -v bytes="$bytes" -v n="$n" \
        'BEGIN{printf "| %s | %s | %.2f | %.0f | %.1f | %.1f | %s |\n", name, t, wall, 100*(user+sys)/wall, rss/1024, bytes/1e6/wall, sprintf("%\047d", n/wall)}'
}
echo
echo "$(date -u +%F) $(uname -n), commit $(cd "$root" && git rev-parse --short HEAD), $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: $articles ($bytes bytes, $n sentences); best of $repeat"
echo
echo "| tool | threads | wall s | CPU % | peak RSS MiB | MB/s | sentences/s |"
echo "|---|---|---|---|---|---|---|"
row "frametag-score" 1 "${result[1]}"
row "frametag-score" 2 "${result[2]}"
[[ -n "$ft" ]] && row "fastText predict-prob" 1 "$ft"
w1=${result[1]%% *} w2=${result[2]%% *}
echo
awk -v a="$w1" -v b="$w2" 'BEGIN{printf "2 threads / 1 thread: %.2fx\n", a/b}'
[[ -n "$ft" ]] && awk -v a="$w1" -v f="${ft%% *}" 'BEGIN{printf "frametag (1 thread) / fastText predict-prob (1 thread): %.2fx\n", f/a}'
[[ $keep == 1 ]] || rm -f "$out"/frametag-*.csv
