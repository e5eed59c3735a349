"""Reference values for whole models: the loss and the gradient of every
weight that Keras (TensorFlow 2.12.1, Keras 2.12) computes for the tutorial's
three models, shrunk, on one batch of pre-padded token ids.

  .cache/peers-venv/bin/python scripts/peers/keras_model_gradients.py [out.json]

writes test/fixtures/keras-model-gradients.json by default (whole or not at all).

The virtualenv is the one scripts/bench-peers.ts makes (tensorflow-cpu==2.12.1).
The output is committed; run this again only to refresh it.

What the fixture pins down, end to end, as compile(loss="binary_crossentropy")
and fit() compute it:
  * the recurrent layers run every step, the leading padding (token 0, whose
    embedding row is not zero) included: a row's state at its first word is
    not zero, and the padding row of the Embedding gets a gradient;
  * the loss, the batch mean of binary cross-entropy (Keras computes it from
    the sigmoid's logit, TensorFlow.js from the probability clipped to
    [1e-7, 1 - 1e-7]: the same away from 0 and 1, where these outputs are);
  * the layer and weight order of each model (the one our buildModel makes).
Dropout is off (training=False), so the values are deterministic.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf

from fixture_file import write_fixture
from tensorflow.keras.layers import LSTM, Bidirectional, Dense, Dropout, Embedding, SimpleRNN
from tensorflow.keras.models import Sequential

# Small enough to commit, long enough for padding to matter.
SIZES = {"numWords": 30, "embeddingDim": 6, "units": 5, "denseUnits": 7, "maxlen": 16}
# Leading padding of each row of the batch (a whole row of padding included).
PADDING = [0, 4, 9, 15, 16, 2]


def f32_list(array):
    return [float(x) for x in np.asarray(array, dtype=np.float32).reshape(-1)]


def build(preset):
    model = Sequential()
    model.add(Embedding(SIZES["numWords"], SIZES["embeddingDim"]))
    recurrent = {"simple-rnn": SimpleRNN, "lstm": LSTM}
    if preset == "bilstm":
        model.add(Bidirectional(LSTM(SIZES["units"])))
    else:
        model.add(recurrent[preset](SIZES["units"]))
    if preset != "simple-rnn":
        model.add(Dense(SIZES["denseUnits"], activation="relu"))
        model.add(Dropout(0.2))
    model.add(Dense(1, activation="sigmoid"))
    model.build((None, SIZES["maxlen"]))
    return model


def batch(rng):
    x = rng.randint(1, SIZES["numWords"], size=(len(PADDING), SIZES["maxlen"])).astype(np.int32)
    for row, pad in enumerate(PADDING):
        x[row, :pad] = 0
    y = np.array([1, 0, 1, 0, 1, 0], dtype=np.float32)[: len(PADDING)]
    return x, y


def case(preset, seed):
    rng = np.random.RandomState(seed)
    model = build(preset)
    # Weights larger than the initializers' so that every step's state (and its gradient) is far from zero.
    weights = [rng.uniform(-0.6, 0.6, w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(weights)
    x, y = batch(rng)
    loss_fn = tf.keras.losses.get("binary_crossentropy")
    with tf.GradientTape() as tape:
        probabilities = model(x, training=False)
        loss = tf.reduce_mean(loss_fn(y.reshape(-1, 1), probabilities))
    grads = tape.gradient(loss, model.trainable_weights)
    return {
        "preset": preset,
        "weights": [{"name": w.name, "shape": list(w.shape), "values": f32_list(v)} for w, v in zip(model.weights, weights)],
        "x": [int(v) for v in x.reshape(-1)],
        "y": f32_list(y),
        "probabilities": f32_list(probabilities),
        "loss": float(loss),
        "gradients": [f32_list(tf.convert_to_tensor(g)) for g in grads],
    }


def main():
    out = {
        "generator": "scripts/peers/keras_model_gradients.py",
        "tensorflow": tf.__version__,
        "keras": tf.keras.__version__,
        "sizes": SIZES,
        "padding": PADDING,
        "cases": [case(preset, seed) for preset, seed in (("simple-rnn", 1), ("lstm", 2), ("bilstm", 3))],
    }
    write_fixture(out, "keras-model-gradients.json")


if __name__ == "__main__":
    main()
