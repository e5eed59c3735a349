"""The tutorial's Keras code on a few hundred encoded reviews, for the Keras bridge tests.

    python keras_models.py train --data DIR --out DIR
    python keras_models.py predict --model F --word-index F --texts F [--tokenizer F] [--maxlen N] [--num-words N]

`train` reads DIR/header.json (num_words, maxlen) with DIR/x.i32 (int32
[n, maxlen], little-endian), DIR/y.f32 and DIR/texts.json (the raw training
texts, for the Tokenizer model), and writes into --out:
  simple_rnn.h5, lstm.h5, bilstm.h5, lstm_v3.keras  the tutorial's three models (imdb word index)
  tokenizer_lstm.h5, tokenizer.json                  a Tokenizer-encoded model without a fixed input length
`predict` prints the probabilities of the texts (a JSON list) as Keras computes
them, encoding each text as the model's word index says.
"""
import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.layers import LSTM, Bidirectional, Dense, Dropout, Embedding, SimpleRNN
from tensorflow.keras.preprocessing.sequence import pad_sequences
from tensorflow.keras.preprocessing.text import Tokenizer, text_to_word_sequence, tokenizer_from_json

EMBEDDING, UNITS, DENSE = 8, 8, 16


def tutorial_model(kind, num_words, maxlen=None):
    """The tutorial's layers, smaller: Embedding -> SimpleRNN | LSTM | Bi-LSTM -> (Dense relu, Dropout) -> Dense(1, sigmoid)."""
    embedding = Embedding(num_words, EMBEDDING, input_length=maxlen) if maxlen else Embedding(num_words, EMBEDDING)
    if kind == "simple_rnn":
        layers = [embedding, SimpleRNN(UNITS), Dense(1, activation="sigmoid")]
        optimizer = "rmsprop"
    else:
        recurrent = LSTM(UNITS) if kind == "lstm" else Bidirectional(LSTM(UNITS))
        layers = [embedding, recurrent, Dense(DENSE, activation="relu"), Dropout(0.2), Dense(1, activation="sigmoid")]
        optimizer = "adam"
    model = keras.Sequential(layers)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["acc"])
    return model


def train(args):
    with open(os.path.join(args.data, "header.json")) as f:
        header = json.load(f)
    num_words, maxlen, n = header["numWords"], header["maxlen"], header["count"]
    x = np.fromfile(os.path.join(args.data, "x.i32"), dtype="<i4").reshape(n, maxlen)
    y = np.fromfile(os.path.join(args.data, "y.f32"), dtype="<f4")
    tf.keras.utils.set_random_seed(113)
    for kind in ["simple_rnn", "lstm", "bilstm"]:
        model = tutorial_model(kind, num_words, maxlen)
        model.fit(x, y, epochs=2, batch_size=32, validation_split=0.2, verbose=0)
        model.save(os.path.join(args.out, f"{kind}.h5"))
        if kind == "lstm":
            model.save(os.path.join(args.out, "lstm_v3.keras"), save_format="keras_v3")
    # A Tokenizer's word index, as many Keras tutorials encode their own texts.
    with open(os.path.join(args.data, "texts.json")) as f:
        texts = json.load(f)
    tokenizer = Tokenizer(num_words=header["tokenizerNumWords"], oov_token="<OOV>")
    tokenizer.fit_on_texts(texts)
    sequences = pad_sequences(tokenizer.texts_to_sequences(texts), maxlen=maxlen)
    model = tutorial_model("lstm", header["tokenizerNumWords"])
    model.fit(sequences, y, epochs=2, batch_size=32, verbose=0)
    model.save(os.path.join(args.out, "tokenizer_lstm.h5"))
    with open(os.path.join(args.out, "tokenizer.json"), "w") as f:
        f.write(tokenizer.to_json())


def predict(args):
    model = keras.models.load_model(args.model)
    with open(args.texts) as f:
        texts = json.load(f)
    maxlen = model.input_shape[1] or args.maxlen
    if args.tokenizer:
        with open(args.tokenizer) as f:
            tokenizer = tokenizer_from_json(f.read())
        sequences = tokenizer.texts_to_sequences(texts)
    else:
        # keras.datasets.imdb conventions: start_char 1, oov_char 2, index_from 3, num_words.
        with open(args.word_index) as f:
            word_index = json.load(f)
        num_words = args.num_words or model.layers[0].input_dim
        sequences = []
        for text in texts:
            ids = [1]
            for word in text_to_word_sequence(text):
                rank = word_index.get(word)
                ids.append(rank + 3 if rank is not None and rank + 3 < num_words else 2)
            sequences.append(ids)
    x = pad_sequences(sequences, maxlen=maxlen)
    print(json.dumps(model.predict(x, verbose=0)[:, 0].astype(float).tolist()))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", required=True)
    t.add_argument("--out", required=True)
    p = sub.add_parser("predict")
    p.add_argument("--model", required=True)
    p.add_argument("--texts", required=True)
    p.add_argument("--word-index")
    p.add_argument("--tokenizer")
    p.add_argument("--maxlen", type=int)
    p.add_argument("--num-words", type=int)
    args = parser.parse_args()
    train(args) if args.command == "train" else predict(args)


if __name__ == "__main__":
    main()
