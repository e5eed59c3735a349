/**
 * The `predict_keras.py` written beside an exported model: it loads the
 * model and word_index.json and classifies texts exactly as the run does
 * (same words, indices, padding and threshold), so a Keras user can check
 * the model against the lab.
 */
import type { VocabularyFile } from '../runs';
import { KERAS_TEXT_RULES, TOKENIZER_VERSION } from '../text';

const py = (value: unknown): string => (value === null || value === undefined ? 'None' : typeof value === 'boolean' ? (value ? 'True' : 'False') : JSON.stringify(value));

export function predictScript(modelFile: string, vocabulary: VocabularyFile): string {
  const lab = vocabulary.tokenizer === TOKENIZER_VERSION;
  const rules = vocabulary.textRules ?? KERAS_TEXT_RULES;
  return `"""Classifies texts with ${modelFile}, exported by RNN Sentiment Lab, as the lab does.

    python predict_keras.py "A wonderful film." "Dull and far too long."
    python predict_keras.py < reviews.txt          # one text per line
    python predict_keras.py --json "..."           # probabilities as JSON

Needs Keras 2 (pip install tensorflow-cpu==2.12.1). word_index.json is in the
form of keras.datasets.imdb.get_word_index(): word -> rank, index = rank + INDEX_FROM.
"""
import json
import os
import re
import sys

import numpy as np
from tensorflow import keras

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, ${py(modelFile)})
WORD_INDEX = os.path.join(HERE, "word_index.json")

NUM_WORDS = ${vocabulary.numWords}  # indices at or past this become OOV_CHAR (load_data's num_words)
MAXLEN = ${vocabulary.maxlen}  # pad_sequences(maxlen), padding and truncating 'pre'
START_CHAR = ${py(vocabulary.startChar)}
OOV_CHAR = ${py(vocabulary.oovChar)}  # None: unknown words are dropped
INDEX_FROM = ${vocabulary.indexFrom}
# keras.preprocessing.text.text_to_word_sequence settings${lab ? ", after <br /> line breaks become spaces" : ''}
FILTERS = ${py(rules.filters)}
LOWER = ${py(rules.lower)}
SPLIT = ${py(rules.split)}
LAB_TEXT = ${py(lab)}  # the lab's reviews: HTML line breaks removed, split on any whitespace

LINE_BREAK = re.compile(r"<br\\s*/?>", re.IGNORECASE)
# The lab splits on JavaScript's whitespace, which differs from str.split()'s (\\x85, \\x1c-\\x1f are not in it).
WHITESPACE = re.compile("[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+")


def words(text):
    if LAB_TEXT:
        text = LINE_BREAK.sub(" ", text)
    if LOWER:
        text = text.lower()
    text = text.translate(str.maketrans({c: SPLIT for c in FILTERS}))
    return [w for w in (WHITESPACE.split(text) if LAB_TEXT else text.split(SPLIT)) if w]


def encode(text, word_index):
    ids = [] if START_CHAR is None else [START_CHAR]
    for word in words(text):
        rank = word_index.get(word, 0)
        index = rank + INDEX_FROM
        if rank > 0 and index < NUM_WORDS:
            ids.append(index)
        elif OOV_CHAR is not None:
            ids.append(OOV_CHAR)
    return ids


def predict(texts, model=None, word_index=None):
    model = model or keras.models.load_model(MODEL)
    if word_index is None:
        with open(WORD_INDEX, encoding="utf-8") as f:
            word_index = json.load(f)
    x = keras.preprocessing.sequence.pad_sequences([encode(t, word_index) for t in texts], maxlen=MAXLEN, padding="pre", truncating="pre", value=0)
    return model.predict(np.asarray(x, dtype="int32"), verbose=0)[:, 0].astype(float).tolist()


def main(argv):
    as_json = "--json" in argv
    texts = [a for a in argv if a != "--json"] or [line.rstrip("\\n") for line in sys.stdin if line.strip()]
    probabilities = predict(texts)
    if as_json:
        print(json.dumps(probabilities))
        return
    for text, p in zip(texts, probabilities):
        print(f"{'positive' if p >= 0.5 else 'negative'}\\t{p:.4f}\\t{text[:60]}")


if __name__ == "__main__":
    main(sys.argv[1:])
`;
}
