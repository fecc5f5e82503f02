#!/usr/bin/env python3
"""Checks the README's PyTorch hand-off: a model `fusebox train` saved loads into PyTorch and predicts
what `fusebox predict` does.

It trains the README's iris example with the `fusebox` command, predicts the validation rows with
`fusebox predict`, then runs the README's ```python block (the one that calls load_state_dict) as it
stands, in a directory holding the trained iris.safetensors, and compares the probabilities of both
modules it builds (the ModuleList one and the nn.Sequential) with fusebox's, row by row.

Needs PyTorch and NumPy (Debian: apt-get install python3-torch python3-numpy). Where the safetensors
package is missing (Debian has none), a small reader of the format stands in for
safetensors.torch.load_file, and the output says so.

Use, from the repository's root:
  python3 tools/torch_handoff_check.py [--fusebox CMD] [--tol 1e-5]
--fusebox is the command line to run (default: the repository's ./fusebox launcher).
Exit code 0 when every probability agrees within --tol and every predicted class is the same, 1 otherwise.
"""
import argparse
import csv
import json
import os
import re
import shlex
import struct
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "compiler/src/test/resources/dev/fusebox/cli"


def readme_block():
    """The README's python block that loads a state_dict."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    loading = [b for b in blocks if "load_state_dict" in b]
    if len(loading) != 1:
        sys.exit(f"README.md: expected one python block calling load_state_dict, found {len(loading)}")
    return loading[0]


def load_file(path):
    """safetensors.torch.load_file for F32 tensors: 8-byte little-endian header size, JSON header, data."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} has dtype {meta['dtype']}; this reader handles F32 only")
        a, b = meta["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype="<f4").reshape(meta["shape"]).copy())
    return out


def provide_safetensors():
    """Uses the real safetensors package if there is one, else registers the reader above in its place."""
    try:
        import safetensors.torch  # noqa: F401
        return "safetensors " + getattr(sys.modules["safetensors"], "__version__", "?")
    except ImportError:
        package = types.ModuleType("safetensors")
        module = types.ModuleType("safetensors.torch")
        module.load_file = load_file
        package.torch = module
        sys.modules["safetensors"] = package
        sys.modules["safetensors.torch"] = module
        return "the script's own reader (no safetensors package installed)"


def run(command, cwd):
    print("$ " + " ".join(shlex.quote(c) for c in command), flush=True)
    done = subprocess.run(command, cwd=cwd, text=True, capture_output=True)
    if done.returncode != 0:
        sys.exit(f"exit code {done.returncode}:\n{done.stderr}")
    return done.stdout


def features(path, label):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    j = header.index(label)
    return torch.tensor([[float(v) for k, v in enumerate(r) if k != j] for r in body], dtype=torch.float32)


def fusebox_probabilities(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    columns = sorted((c for c in rows[0] if re.fullmatch(r"p\d+", c)), key=lambda c: int(c[1:]))
    return (torch.tensor([[float(r[c]) for c in columns] for r in rows], dtype=torch.float64),
            torch.tensor([int(r["class"]) for r in rows]))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fusebox", default=str(ROOT / "fusebox"), help="the fusebox command (default: %(default)s)")
    p.add_argument("--tol", type=float, default=1e-5, help="largest absolute difference of a probability")
    a = p.parse_args()
    fusebox = shlex.split(a.fusebox)

    with tempfile.TemporaryDirectory(prefix="fusebox-handoff-") as tmp:
        work = Path(tmp)
        run(fusebox + ["train", str(DATA / "iris.json"), "--data", str(DATA / "iris-train.csv"), "--label", "species",
                       "--valid", str(DATA / "iris-valid.csv"), "--out", "iris.safetensors"], work)
        run(fusebox + ["predict", str(DATA / "iris.json"), "--model", "iris.safetensors", "--data",
                       str(DATA / "iris-valid.csv"), "--label", "species", "--out", "predictions.csv"], work)
        expected, classes = fusebox_probabilities(work / "predictions.csv")

        reader = provide_safetensors()
        print(f"loading with {reader}; PyTorch {torch.__version__}")
        namespace = {}
        previous = Path.cwd()
        try:
            os.chdir(work)
            exec(compile(readme_block(), "README.md (python block)", "exec"), namespace)
        finally:
            os.chdir(previous)

        x = features(DATA / "iris-valid.csv", "species")
        worst = 0.0
        ok = True
        for name in ("model", "seq"):
            module = namespace[name]
            with torch.no_grad():
                got = torch.softmax(module(x), dim=1).double()
            diff = (got - expected).abs().max().item()
            same = bool((got.argmax(dim=1) == classes).all())
            print(f"{name}: {type(module).__name__}, {x.shape[0]} rows, largest probability difference {diff:.3e}, "
                  f"classes {'all the same' if same else 'DIFFER'}")
            worst = max(worst, diff)
            ok &= same
        ok &= worst <= a.tol
        print("hand-off " + ("OK" if ok else f"FAILED (tolerance {a.tol:g})"))
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
