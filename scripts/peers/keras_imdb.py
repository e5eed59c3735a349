"""The tutorial's Keras models, trained on the splits exported by
scripts/bench-peers.ts, timed epoch by epoch.

  python keras_imdb.py --data DIR --preset lstm --epochs 5 --out report.json

The model code is the tutorial's (GUIDE.md section 2); the only change is
validation_data instead of validation_split, so that Keras validates on the
same rows as the other contestants.
"""
import time

STARTED = time.perf_counter()  # before importing TensorFlow: its import is part of the run's cost

import os
import platform

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import LSTM, Bidirectional, Dense, Dropout, Embedding, SimpleRNN
from tensorflow.keras.models import Sequential

import peer_data


def build(preset, num_words, embedding_dim=32, units=32):
    model = Sequential()
    model.add(Embedding(num_words, embedding_dim))
    if preset == "simple-rnn":
        model.add(SimpleRNN(units))
        model.add(Dense(1, activation="sigmoid"))
        optimizer = "rmsprop"
    elif preset in ("lstm", "bilstm"):
        model.add(LSTM(units) if preset == "lstm" else Bidirectional(LSTM(units)))
        model.add(Dense(256, activation="relu"))
        model.add(Dropout(0.2))
        model.add(Dense(1, activation="sigmoid"))
        optimizer = "adam"
    else:
        raise SystemExit(f"unknown preset {preset}")
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


class EpochTimer(tf.keras.callbacks.Callback):
    """Splits each epoch's wall time into training and validation (fit runs validation inside the epoch)."""

    def __init__(self, train_count):
        super().__init__()
        self.train_count = train_count
        self.epochs = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_started = time.perf_counter()
        self.validation_seconds = 0.0

    def on_test_begin(self, logs=None):
        self.test_started = time.perf_counter()

    def on_test_end(self, logs=None):
        self.validation_seconds += time.perf_counter() - self.test_started

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.epoch_started
        train_seconds = seconds - self.validation_seconds
        entry = {
            "epoch": epoch + 1,
            "seconds": seconds,
            "trainSeconds": train_seconds,
            "examplesPerSecond": self.train_count / train_seconds,
            "loss": float(logs["loss"]),
            "accuracy": float(logs["accuracy"]),
            "valLoss": float(logs["val_loss"]),
            "valAccuracy": float(logs["val_accuracy"]),
        }
        self.epochs.append(entry)
        peer_data.log(
            f"  keras {epoch + 1}: {seconds:.1f} s ({train_seconds:.1f} s training), "
            f"loss {entry['loss']:.4f} acc {entry['accuracy']:.4f} val_acc {entry['valAccuracy']:.4f}"
        )


def main():
    parser = peer_data.argument_parser()
    args = parser.parse_args()

    header, data = peer_data.load(args.data, peer_data.SPLITS)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = data["train"], data["validation"], data["test"]
    tf.keras.utils.set_random_seed(args.seed)
    model = build(args.preset, header["numWords"])
    timer = EpochTimer(len(x_train))
    model.fit(
        x_train,
        y_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_data=(x_val, y_val),
        callbacks=[timer],
        verbose=0,
    )
    # The final weights (as the tutorial's fit leaves them) on the test reviews every contestant reads.
    test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    peer_data.log(f"  keras test: loss {test_loss:.4f} acc {test_accuracy:.4f} on {len(x_test)} reviews")
    peer_data.finish(
        args.out,
        {
            "contestant": "keras",
            "framework": f"TensorFlow {tf.__version__} (Keras {tf.keras.__version__})",
            "python": platform.python_version(),
            "numpy": np.__version__,
            "threads": {
                "intraOp": tf.config.threading.get_intra_op_parallelism_threads(),
                "interOp": tf.config.threading.get_inter_op_parallelism_threads(),
            },
            "implementation": "Keras layers (TensorFlow CPU kernels)",
            "train": int(len(x_train)),
            "validation": int(len(x_val)),
            "epochs": timer.epochs,
            "test": {"loss": float(test_loss), "accuracy": float(test_accuracy), "count": int(len(x_test))},
        },
        STARTED,
    )


if __name__ == "__main__":
    main()
