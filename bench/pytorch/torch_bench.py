#!/usr/bin/env python3
"""Times one training step of the benchmark networks in PyTorch eager mode, on one thread.

The networks are the spec files the JMH suite reads (bench/src/main/resources/dev/fusebox/bench/specs),
built as torch.nn.Sequential with the same layers, loss, optimizer, hyperparameters and batch. A step
is what Fusebox's Program.step() does: zero the gradients, forward, loss, backward, optimizer update.
Inputs are random tensors made once; the timed loop copies no data.

Run it with Debian's python3-torch and OpenBLAS (the default reference BLAS is ~20x slower):

    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/pytorch/torch_bench.py

Each network: warm-up, then --repeats timed blocks of about --block-ms each; the table gives the
median time per step over the blocks and the interquartile range.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

SPECS = Path(__file__).resolve().parents[1] / "src/main/resources/dev/fusebox/bench/specs"
NETWORKS = ["tiny", "xor", "digits", "mnist", "wide"]


def build(spec):
    """The network, loss, optimizer and one random batch a spec describes."""
    layers = []
    width = spec["input"]
    for layer in spec["layers"]:
        layers.append(nn.Linear(width, layer["units"]))
        activation = layer.get("activation", "identity")
        if activation == "relu":
            layers.append(nn.ReLU())
        elif activation == "sigmoid":
            layers.append(nn.Sigmoid())
        elif activation != "identity":
            raise ValueError("activation %r is not mapped" % activation)
        width = layer["units"]
    model = nn.Sequential(*layers)

    batch = spec.get("batch", 32)
    x = torch.randn(batch, spec["input"])
    loss_name = spec["loss"]
    if loss_name == "softmax_cross_entropy":
        loss = nn.CrossEntropyLoss()
        y = torch.randint(0, width, (batch,))
    elif loss_name == "binary_cross_entropy":
        loss = nn.BCEWithLogitsLoss()
        y = torch.randint(0, 2, (batch, width)).float()
    elif loss_name == "mse":
        loss = nn.MSELoss()
        y = torch.randint(0, 2, (batch, width)).float()
    else:
        raise ValueError("loss %r is not mapped" % loss_name)

    o = spec["optimizer"]
    if o["type"] == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=o.get("lr", 1e-3), momentum=o.get("momentum", 0))
    elif o["type"] == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=o.get("lr", 1e-3), betas=tuple(o.get("betas", (0.9, 0.999))),
                                     eps=o.get("eps", 1e-8))
    else:
        raise ValueError("optimizer %r is not mapped" % o["type"])
    return model, loss, optimizer, x, y


def time_network(name, repeats, block_ms, warmup_ms):
    spec = json.loads((SPECS / (name + ".json")).read_text())
    torch.manual_seed(spec.get("seed", 0))
    model, loss_fn, optimizer, x, y = build(spec)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    # Warm-up, and an estimate of the steps that fill one block.
    start = time.perf_counter()
    steps = 0
    while time.perf_counter() - start < warmup_ms / 1000:
        step()
        steps += 1
    per_step = (time.perf_counter() - start) / steps
    block = max(1, int(block_ms / 1000 / per_step))

    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(block):
            step()
        times.append((time.perf_counter() - t0) / block * 1e6)
    times.sort()
    q = statistics.quantiles(times, n=4) if len(times) >= 2 else [times[0]] * 3
    return {"median_us": statistics.median(times), "p25_us": q[0], "p75_us": q[2], "min_us": times[0], "max_us": times[-1],
            "blocks": repeats, "steps_per_block": block, "batch": spec.get("batch", 32), "optimizer": spec["optimizer"]["type"],
            "final_loss": float(step())}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("networks", nargs="*", default=NETWORKS, help="networks to time (default: all)")
    p.add_argument("--repeats", type=int, default=15, help="timed blocks per network (default 15)")
    p.add_argument("--block-ms", type=float, default=300, help="length of a timed block (default 300 ms)")
    p.add_argument("--warmup-ms", type=float, default=1500, help="warm-up per network (default 1500 ms)")
    p.add_argument("--json", help="also write the results to this file")
    args = p.parse_args()

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    config = torch.__config__.show()
    blas = [line.strip() for line in config.splitlines() if "BLAS" in line]
    info = {"torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads(),
            "ld_library_path": os.environ.get("LD_LIBRARY_PATH", ""), "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
            "blas_config": blas}
    print("torch %s, python %s, %d thread(s), LD_LIBRARY_PATH=%s" % (info["torch"], info["python"], info["threads"],
                                                                      info["ld_library_path"] or "(unset)"))
    if "openblas" not in info["ld_library_path"]:
        print("warning: LD_LIBRARY_PATH does not select OpenBLAS; Debian's default reference BLAS is ~20x slower", file=sys.stderr)

    results = {}
    print("%-8s %12s %12s %12s %8s" % ("network", "median us", "p25 us", "p75 us", "steps"))
    for name in args.networks:
        r = time_network(name, args.repeats, args.block_ms, args.warmup_ms)
        results[name] = r
        print("%-8s %12.2f %12.2f %12.2f %8d" % (name, r["median_us"], r["p25_us"], r["p75_us"], r["steps_per_block"] * r["blocks"]))
        sys.stdout.flush()
    if args.json:
        Path(args.json).write_text(json.dumps({"info": info, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
