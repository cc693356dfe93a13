"""Inputs of benches/score.sh (standard library only; reuses benches/peers).

    python3 benches/score_inputs.py articles MB OUT.jsonl
        real articles of ../shared/data repeated to MB megabytes (as peers.sh)
    python3 benches/score_inputs.py fasttext-train TRAIN.csv OUT.txt
        corpus/train.csv in fastText's format, preprocessed as benches/peers does
    python3 benches/score_inputs.py fasttext-sentences SCORED.csv OUT.txt
        the sentences frametag-score found, one per line, preprocessed for fastText
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "peers"))
import common  # noqa: E402
import prepare  # noqa: E402

# As benches/peers/peer_fasttext.py (which imports the fasttext module, so
# its helpers are repeated here): labels, and the tutorial's preprocessing.
PREFIX = "__label__"
NONE = PREFIX + common.NO_LABEL


def prepare_text(text: str) -> str:
    return common.split_punctuation(common.one_line(text).encode("utf-8")).decode("utf-8")


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        raise SystemExit(__doc__)
    what, src, out = argv
    root = Path(__file__).resolve().parent.parent
    if what == "articles":
        info = prepare.build_articles(root, int(float(src) * 1e6), 42, Path(out))
        print(f"{info['bytes']} bytes, {info['records']} records from {info['origin']}")
    elif what == "fasttext-train":
        data = common.read_labeled(src)
        with open(out, "w", encoding="utf-8") as f:
            for text, row in zip(data.texts, data.labels):
                tags = " ".join(PREFIX + label for label in row) if row else NONE
                f.write(f"{tags} {prepare_text(text)}\n")
    elif what == "fasttext-sentences":
        tmp = Path(out + ".raw")
        n = prepare.extract_sentences(Path(src), tmp)
        with open(tmp, "rb") as f, open(out, "wb") as g:
            g.write(common.split_punctuation(f.read()))
        tmp.unlink()
        print(f"{n} sentences")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
