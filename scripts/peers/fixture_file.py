"""Writes a Keras reference fixture under test/fixtures/ (or the path given as
the script's first argument): JSON with one line per list of numbers, so the
fixture reads and diffs by variable, replaced whole (written aside, then
renamed)."""

import json
import os
import re
import sys


def write_fixture(out, default_name):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "test", "fixtures", default_name)
    text = json.dumps(out, indent=1)
    text = re.sub(r"\[[-0-9.e,\s]+\]", lambda m: "[" + ", ".join(m.group(0)[1:-1].split()).replace(",,", ",") + "]", text)
    with open(path + ".tmp", "w") as f:
        f.write(text + "\n")
    os.replace(path + ".tmp", path)
