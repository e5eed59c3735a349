"""Reference values for the fused optimizers: Keras' own RMSprop and Adam
(TensorFlow 2.12.1, Keras 2.12, the optimizers `compile(optimizer='rmsprop')`
and `'adam'` give the tutorial) stepped on fixed gradients.

  .cache/peers-venv/bin/python scripts/peers/keras_optimizers.py [out.json]

writes test/fixtures/keras-optimizers.json by default (whole or not at all).

The virtualenv is the one scripts/bench-peers.ts makes (tensorflow-cpu==2.12.1).
The output is committed; run this again only to refresh it.

Three variables, as in the tutorial's models: a dense kernel and a bias with
dense gradients, and an embedding table whose gradient is what Keras gets
from an Embedding layer, tf.IndexedSlices with repeated token ids (rows no
token touched get none). Keras sums repeated ids before the update, so the
fixture lists each step's gradients dense (that sum, zero rows included),
as TensorFlow.js hands them to an optimizer. The bias's gradients are tiny
(about 1e-4), where the placement of epsilon shows.

"rmsprop" and "adam" are the optimizers compile() builds from those names.
"rmspropLegacy" (tf.keras.optimizers.legacy.RMSprop, the optimizer_v2 one)
is there for comparison only: it adds epsilon outside the square root,
while the current one takes rsqrt(velocity + epsilon), as TensorFlow.js does.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf

from fixture_file import write_fixture

STEPS = 6
SHAPES = {"kernel": (3, 8), "bias": (7,), "embedding": (10, 4)}
# token ids of each step's "batch": repeats, and rows 8 and 9 never used
TOKENS = [[1, 2, 2, 5], [0, 1, 1, 1, 7], [3, 3, 4], [2, 6, 6, 6, 0], [5, 1], [7, 7, 4, 2, 3]]


def f32_list(array):
    return [float(x) for x in np.asarray(array, dtype=np.float32).reshape(-1)]


def run(make_optimizer, learning_rate):
    rng = np.random.RandomState(13)
    initial = {name: rng.uniform(-0.5, 0.5, shape).astype(np.float32) for name, shape in SHAPES.items()}
    variables = {name: tf.Variable(value, name=name) for name, value in initial.items()}
    optimizer = make_optimizer(learning_rate)
    steps = []
    for step in range(STEPS):
        dense = {name: (rng.standard_normal(SHAPES[name]) * scale).astype(np.float32) for name, scale in (("kernel", 0.5), ("bias", 1e-4))}
        ids = np.array(TOKENS[step], dtype=np.int32)
        values = (rng.standard_normal((len(ids), SHAPES["embedding"][1])) * 0.5).astype(np.float32)
        sparse = tf.IndexedSlices(tf.constant(values), tf.constant(ids), tf.constant(SHAPES["embedding"]))
        optimizer.apply_gradients([
            (tf.constant(dense["kernel"]), variables["kernel"]),
            (tf.constant(dense["bias"]), variables["bias"]),
            (sparse, variables["embedding"]),
        ])
        summed = np.zeros(SHAPES["embedding"], dtype=np.float32)
        np.add.at(summed, ids, values)
        steps.append({
            "gradients": {"kernel": f32_list(dense["kernel"]), "bias": f32_list(dense["bias"]), "embedding": f32_list(summed)},
            "values": {name: f32_list(v.numpy()) for name, v in variables.items()},
        })
    return {
        "learningRate": learning_rate,
        "config": {k: (v if isinstance(v, bool) else float(v)) for k, v in optimizer.get_config().items()
                   if k in ("rho", "momentum", "epsilon", "centered", "beta_1", "beta_2", "amsgrad")},
        "optimizerClass": f"{type(optimizer).__module__}.{type(optimizer).__name__}",
        "shapes": {name: list(shape) for name, shape in SHAPES.items()},
        "initial": {name: f32_list(v) for name, v in initial.items()},
        "steps": steps,
    }


def main():
    # the classes compile(optimizer="rmsprop") and compile(optimizer="adam") instantiate
    assert type(tf.keras.optimizers.get("rmsprop")) is tf.keras.optimizers.RMSprop
    assert type(tf.keras.optimizers.get("adam")) is tf.keras.optimizers.Adam
    rates = (1e-3, 1e-2)
    out = {
        "generator": "scripts/peers/keras_optimizers.py",
        "tensorflow": tf.__version__,
        "keras": tf.keras.__version__,
        "rmsprop": [run(lambda lr: tf.keras.optimizers.RMSprop(learning_rate=lr), lr) for lr in rates],
        "adam": [run(lambda lr: tf.keras.optimizers.Adam(learning_rate=lr), lr) for lr in rates],
        "rmspropLegacy": [run(lambda lr: tf.keras.optimizers.legacy.RMSprop(learning_rate=lr), lr) for lr in rates],
    }
    write_fixture(out, "keras-optimizers.json")


if __name__ == "__main__":
    main()
