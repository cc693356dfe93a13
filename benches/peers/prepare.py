"""Generated inputs of the peer benchmark (standard library only).

- resample(): a large labeled training set drawn with replacement from the
  corpus train split, with a fixed seed (same seed, same file).
- build_articles(): an article corpus in JSONL of a target size, made by
  repeating real articles; sources in order of preference:
    1. ../shared/data/reuters21578/docs.jsonl and
       ../shared/data/ukraine-war-news/articles.jsonl (development data next
       to the repository; absent in a fresh clone),
    2. corpus/articles/ (its .jsonl files, records with a "text" field, or
       else its .txt/.md files, one article each),
    3. articles assembled from the sentences of corpus/*.csv.
- extract_sentences(): the sentences frametag-score found, one per line, so
  that every peer predicts exactly the sentences frametag scored.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator

import common


def resample(train_csv: Path, n: int, seed: int, out_csv: Path) -> dict:
    """Write `n` rows drawn uniformly with replacement from `train_csv`."""
    with open(train_csv, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = [(r["text"], r["labels"]) for r in reader if (r.get("text") or "").strip()]
    if not rows:
        raise SystemExit(f"{train_csv}: no rows to resample")
    rng = random.Random(seed)
    tmp = out_csv.with_name(out_csv.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["text", "labels"])
        # Draw in blocks to bound memory for very large n.
        left = n
        while left:
            k = min(left, 100_000)
            writer.writerows(rows[i] for i in rng.choices(range(len(rows)), k=k))
            left -= k
    tmp.replace(out_csv)
    return {"source": str(train_csv), "source_rows": len(rows), "rows": n, "seed": seed}


@dataclass
class Article:
    id: str
    text: str


def _jsonl(path: Path, text_field: str = "text", id_field: str = "id") -> Iterator[Article]:
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            text = record.get(text_field) or ""
            if text.strip():
                yield Article(str(record.get(id_field, number)), text)


def _shared_articles(shared: Path) -> tuple[list[Article], list[str]]:
    sources = [shared / "reuters21578" / "docs.jsonl", shared / "ukraine-war-news" / "articles.jsonl"]
    articles: list[Article] = []
    used = []
    for path in sources:
        if path.is_file():
            prefix = path.parent.name
            articles += [Article(f"{prefix}/{a.id}", a.text) for a in _jsonl(path)]
            used.append(str(path))
    return articles, used


def _corpus_articles(directory: Path) -> list[Article]:
    """The JSONL files of corpus/articles if it has any (they collect the
    articles), else its .txt/.md files, one article each."""
    jsonl = sorted(p for p in directory.rglob("*.jsonl") if p.is_file())
    if jsonl:
        return [Article(f"{p.relative_to(directory)}/{a.id}", a.text) for p in jsonl for a in _jsonl(p)]
    articles: list[Article] = []
    for path in sorted(directory.rglob("*")):
        if path.suffix in (".txt", ".md") and path.is_file():
            text = path.read_text(encoding="utf-8")
            if text.strip():
                articles.append(Article(str(path.relative_to(directory)), text))
    return articles


def _assembled_articles(csvs: list[Path], seed: int) -> list[Article]:
    """Shuffle the labeled sentences and group them into articles of 8 to 24
    sentences, in paragraphs of 1 to 4 sentences."""
    sentences = [t for path in csvs if path.is_file() for t in common.read_labeled(path).texts]
    rng = random.Random(seed)
    rng.shuffle(sentences)
    articles: list[Article] = []
    i = 0
    while i < len(sentences):
        chunk = sentences[i : i + rng.randint(8, 24)]
        i += len(chunk)
        paragraphs, j = [], 0
        while j < len(chunk):
            size = rng.randint(1, 4)
            paragraphs.append(" ".join(chunk[j : j + size]))
            j += size
        articles.append(Article(f"assembled/{len(articles) + 1}", "\n\n".join(paragraphs)))
    return articles


def build_articles(root: Path, target_bytes: int, seed: int, out_jsonl: Path) -> dict:
    """Write articles as JSONL records {"id", "text"}, repeating the source
    articles in a fixed order until the file reaches `target_bytes`. Ids get a
    repetition suffix so they stay unique."""
    articles, used = _shared_articles(root.parent / "shared" / "data")
    origin = "../shared/data"
    corpus_articles = root / "corpus" / "articles"
    if not articles and corpus_articles.is_dir():
        articles, used, origin = _corpus_articles(corpus_articles), [str(corpus_articles)], "corpus/articles"
    if not articles:
        csvs = sorted((root / "corpus").glob("*.csv"))
        articles, used = _assembled_articles(csvs, seed), [str(p) for p in csvs]
        origin = "assembled from corpus/*.csv sentences"
    if not articles:
        raise SystemExit("no article source found")

    encoded = [(a.id, json.dumps(a.text, ensure_ascii=False)) for a in articles]
    written = records = repetitions = 0
    tmp = out_jsonl.with_name(out_jsonl.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        while written < target_bytes:
            repetitions += 1
            for article_id, text_json in encoded:
                line = (
                    f'{{"id": {json.dumps(f"{article_id}#{repetitions}", ensure_ascii=False)}, "text": {text_json}}}\n'
                )
                f.write(line)
                written += len(line.encode("utf-8"))
                records += 1
                if written >= target_bytes:
                    break
    tmp.replace(out_jsonl)
    return {
        "origin": origin,
        "sources": used,
        "distinct_articles": len(articles),
        "records": records,
        "repetitions": repetitions,
        "bytes": written,
    }


def extract_sentences(score_csv: Path, out_txt: Path) -> int:
    """Copy the `text` column of frametag-score's CSV output to a file, one
    sentence per line (inner line breaks become spaces). Returns the count."""
    n = 0
    tmp = out_txt.with_name(out_txt.name + ".tmp")
    with open(score_csv, newline="", encoding="utf-8") as f, open(tmp, "w", encoding="utf-8") as out:
        reader = csv.DictReader(f)
        if "text" not in (reader.fieldnames or []):
            raise SystemExit(f"{score_csv}: no `text` column in frametag-score output ({reader.fieldnames})")
        for row in reader:
            out.write(common.one_line(row["text"]))
            out.write("\n")
            n += 1
    tmp.replace(out_txt)
    return n
