"""Reads the encoded IMDB splits that scripts/bench-peers.ts exports, and
reports what every contestant reports, so the Keras and PyTorch runs differ
only in the framework.

Layout of a data folder (written by bench-peers.ts):
  header.json            numWords, maxlen, counts and sha256 of every file
  {split}-x.i32          row-major [count, maxlen] int32, little-endian
  {split}-y.f32          [count] float32 labels (1 = positive)
"""
import argparse
import hashlib
import json
import os
import resource
import sys
import time

import numpy as np

SPLITS = ("train", "validation", "test")


def argument_parser():
    """The options bench-peers.ts passes to every contestant; callers add their own."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--preset", required=True, choices=["simple-rnn", "lstm", "bilstm"])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=113)
    parser.add_argument("--out", required=True)
    return parser


def load(folder, splits=("train", "validation")):
    with open(os.path.join(folder, "header.json"), encoding="utf-8") as f:
        header = json.load(f)
    maxlen = header["maxlen"]
    data = {}
    for split in splits:
        info = header["splits"][split]
        x_path = os.path.join(folder, info["x"]["file"])
        y_path = os.path.join(folder, info["y"]["file"])
        # The hashes prove that every contestant read the very bytes the TypeScript pipeline wrote.
        for path, expected in ((x_path, info["x"]["sha256"]), (y_path, info["y"]["sha256"])):
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            if digest != expected:
                raise SystemExit(f"{path}: sha256 {digest} does not match the header's {expected}")
        x = np.fromfile(x_path, dtype="<i4").reshape(info["count"], maxlen)
        y = np.fromfile(y_path, dtype="<f4")
        if y.shape[0] != info["count"]:
            raise SystemExit(f"{y_path}: {y.shape[0]} labels, header says {info['count']}")
        data[split] = (x, y)
    return header, data


def log(message):
    print(message, file=sys.stderr, flush=True)


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def finish(out_path, report, started):
    """Writes the run's report; peak RSS is read last so that it covers the whole run."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report["maxRssMb"] = usage.ru_maxrss / 1024  # Linux reports kilobytes
    report["cpuSeconds"] = usage.ru_utime + usage.ru_stime
    report["wallSeconds"] = time.perf_counter() - started
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
