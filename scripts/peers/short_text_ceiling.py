"""How well can a strong bag-of-n-grams model do on the lab's short-text set?

A ceiling for the recurrent models on that set, from a different family of
model: TF-IDF of word 1–2-grams (and character 2–5-grams) with logistic
regression, trained on the lab's training reviews, their sentences or their
short texts, its C chosen on the validation reviews' short texts (the set's
recipe applied to the validation split), then measured once on the very
short-text set the lab evaluates and on the full test reviews.

The texts come from scripts/export-short-text.ts (the lab's own splits,
sentence segmenter and set), so nothing here re-implements the set:

  node --import tsx scripts/export-short-text.ts --out .cache/short-text-export
  .cache/ceiling-venv/bin/python scripts/peers/short_text_ceiling.py --data .cache/short-text-export [--json OUT]

Needs scikit-learn (a venv: python3 -m venv .cache/ceiling-venv && .cache/ceiling-venv/bin/pip install scikit-learn).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

KINDS = ("first-sentence", "last-sentence", "window")
C_GRID = (0.25, 1.0, 4.0, 16.0)


def read(folder, name):
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r["text"] for r in rows], np.array([r["label"] for r in rows]), rows


class Features:
    """Word 1–2-grams, optionally with character 2–5-grams, fitted on the training texts only."""

    def __init__(self, chars):
        self.word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=400_000, sublinear_tf=True, strip_accents="unicode")
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=400_000, sublinear_tf=True) if chars else None

    def fit_transform(self, texts):
        parts = [self.word.fit_transform(texts)]
        if self.char:
            parts.append(self.char.fit_transform(texts))
        return hstack(parts).tocsr()

    def transform(self, texts):
        parts = [self.word.transform(texts)]
        if self.char:
            parts.append(self.char.transform(texts))
        return hstack(parts).tocsr()


def log(message):
    print(message, file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--json")
    parser.add_argument("--only", help="comma-separated training recipes to run (default: all)")
    args = parser.parse_args()

    reviews = read(args.data, "train.jsonl")
    sentences = read(args.data, "train-sentences.jsonl")
    short = read(args.data, "train-short.jsonl")
    val_short = read(args.data, "validation-short.jsonl")
    test = read(args.data, "test.jsonl")
    target = read(args.data, "short-text.jsonl")

    def join(*sets):
        return [t for s in sets for t in s[0]], np.concatenate([s[1] for s in sets])

    recipes = {
        "reviews": (join(reviews), False),
        "sentences": (join(sentences), False),
        "short texts": (join(short), False),
        "reviews + sentences": (join(reviews, sentences), False),
        "reviews + sentences, char n-grams": (join(reviews, sentences), True),
    }
    if args.only:
        wanted = args.only.split(",")
        recipes = {k: v for k, v in recipes.items() if k in wanted}

    results = []
    for name, ((texts, labels), chars) in recipes.items():
        started = time.time()
        features = Features(chars)
        x = features.fit_transform(texts)
        x_val = features.transform(val_short[0])
        best = None
        for c in C_GRID:
            model = LogisticRegression(C=c, max_iter=2000, solver="liblinear")
            model.fit(x, labels)
            accuracy = float((model.predict(x_val) == val_short[1]).mean())
            log(f"{name}: C={c} validation short-text accuracy {accuracy:.4f}")
            if best is None or accuracy > best[1]:
                best = (c, accuracy, model)
        c, val_accuracy, model = best
        predicted = model.predict(features.transform(target[0]))
        right = predicted == target[1]
        kinds = {k: float(right[[r["kind"] == k for r in target[2]]].mean()) for k in KINDS}
        test_accuracy = float((model.predict(features.transform(test[0])) == test[1]).mean())
        result = {
            "recipe": name,
            "training texts": len(texts),
            "features": x.shape[1],
            "C": c,
            "validation short-text accuracy": val_accuracy,
            "short-text accuracy": float(right.mean()),
            "short texts": int(len(right)),
            "kinds": kinds,
            "test accuracy": test_accuracy,
            "seconds": time.time() - started,
        }
        log(json.dumps(result))
        results.append(result)

    print("| trained on | training texts | features | C (by validation short texts) | validation short-text acc | short-text acc (first / last / window) | full-review test acc |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        k = r["kinds"]
        print(
            f"| {r['recipe']} | {r['training texts']:,} | {r['features']:,} | {r['C']} | {r['validation short-text accuracy']:.3f} | "
            f"{r['short-text accuracy']:.3f} ({k['first-sentence']:.3f} / {k['last-sentence']:.3f} / {k['window']:.3f}) | {r['test accuracy']:.3f} |"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
