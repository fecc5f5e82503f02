#!/usr/bin/env python3
"""Prints the markdown tables of BENCHMARKS.md from a results directory that bench/run.sh wrote.

    python3 bench/report.py bench/results/LABEL [--also bench/results/OTHER ...] [--torch bench/results/OTHER]

Every figure is a median over all measured iterations of all forks (JMH's rawData), with the
interquartile range in brackets; ratios are ratios of medians from the same run. Tables whose JSON
file is missing are left out. --also adds, for each further directory (another JDK, say), a column
of training-step medians next to the first directory's. --torch compares with the PyTorch timings of
another directory (a rerun of the torch part alone, say) instead of this one's.
"""

import argparse
import json
import statistics
from pathlib import Path

NETWORKS = ["tiny", "xor", "digits", "mnist", "wide"]
MODES = ["interpreter", "scalar", "vector", "vector_unfused"]
# Targets of the issue, one thread.
TORCH_TARGET = {"tiny": 100, "xor": 100, "digits": 8, "mnist": 1.35, "wide": 1.5}
INTERP_TARGET = 10
PEAK_TARGET = 0.90
COMPILE_TARGET_MS = 50
FMA_STEPS = 1 << 14
LANES = 16  # FloatVector.SPECIES_PREFERRED on this machine (AVX-512); see machine.txt


def load(directory, part):
    f = Path(directory) / (part + ".json")
    if not f.exists() or f.stat().st_size == 0:
        return None  # not run, or still running (JMH writes the file at the end)
    return json.loads(f.read_text())


def samples(metric):
    return [v for fork in metric["rawData"] for v in fork]


def stats(values):
    values = sorted(values)
    if len(values) == 1:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return statistics.median(values), q[0], q[2]


def by_params(results, *names):
    """{(param values...): result} for one benchmark method's results."""
    out = {}
    for r in results or []:
        key = tuple(r.get("params", {}).get(n) for n in names)
        out[(r["benchmark"].rsplit(".", 1)[1],) + key] = r
    return out


def num(x):
    """A time or rate with three significant digits, thousands separated."""
    if x >= 100:
        return "{:,.0f}".format(x)
    if x >= 10:
        return "{:.1f}".format(x)
    if x >= 1:
        return "{:.2f}".format(x)
    return "{:.3f}".format(x)


def cell(metric, scale=1.0):
    m, lo, hi = stats([v * scale for v in samples(metric)])
    return "{} ({}–{})".format(num(m), num(lo), num(hi)), m


def ratio(a, b):
    return "{:.1f}×".format(a / b) if a / b >= 10 else "{:.2f}×".format(a / b)


def times_table(results, method, title, unit):
    table = by_params(results, "network", "mode")
    if not any(k[0] == method for k in table):
        return None, {}
    lines = ["### " + title, "",
             "Median time per call in {} (interquartile range); ratios of medians.".format(unit), "",
             "| network | interpreter | scalar | vector | vector, fusion off | interp./vector | scalar/vector | unfused/fused |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    medians = {}
    for n in NETWORKS:
        row, med = [n], {}
        for mode in MODES:
            r = table.get((method, n, mode))
            if r is None:
                row.append("–")
                continue
            text, med[mode] = cell(r["primaryMetric"])
            row.append(text)
        v = med.get("vector")
        for other in ("interpreter", "scalar", "vector_unfused"):
            row.append(ratio(med[other], v) if v and other in med else "–")
        medians[n] = med
        lines.append("| " + " | ".join(row) + " |")
    unit_of = next(iter(table.values()))["primaryMetric"]["scoreUnit"]
    lines.append("")
    lines.append("Unit: {}. {}".format(unit_of, forks_note(results)))
    return "\n".join(lines), medians


def forks_note(results):
    r = results[0]
    raw = r["primaryMetric"]["rawData"]
    return "{} forks × {} measured iterations of {} after {} warm-up iterations, per row.".format(
        len(raw), len(raw[0]), r.get("measurementTime", "?"), r.get("warmupIterations", "?"))


def peak_table(results):
    best = 0
    lines = ["### FMA peak (one thread)", "",
             "Independent FMA chains on `FloatVector.SPECIES_PREFERRED` ({} floats), no memory traffic.".format(LANES), "",
             "| chains | GFLOP/s median (IQR) |", "| --- | ---: |"]
    for r in sorted(results, key=lambda r: int(r["benchmark"].rsplit("fma", 1)[1])):
        chains = int(r["benchmark"].rsplit("fma", 1)[1])
        flops = 2.0 * chains * LANES * FMA_STEPS
        scale_to_s = {"us/op": 1e-6, "ns/op": 1e-9, "ms/op": 1e-3}[r["primaryMetric"]["scoreUnit"]]
        rates = [flops / (t * scale_to_s) / 1e9 for t in samples(r["primaryMetric"])]
        m, lo, hi = stats(rates)
        best = max(best, m)
        lines.append("| {} | {} ({}–{}) |".format(chains, num(m), num(lo), num(hi)))
    lines.append("")
    lines.append("Measured peak used below: **{} GFLOP/s** (the better median).".format(num(best)))
    return "\n".join(lines), best


def matmul_table(results, peak):
    lines = ["### Matmul kernels alone (one thread)", "",
             "A graph with one matmul, compiled, timed with `forward()`; GFLOP/s = 2·n³ / time. `nn` = A·B, `nt` = A·Bᵀ "
             "(a dense layer's forward), `tn` = Aᵀ·B (a weight gradient).", "",
             "| n³ | layout | backend | time µs median (IQR) | GFLOP/s median (IQR) | of peak |",
             "| --- | --- | --- | ---: | ---: | ---: |"]
    fractions = {}
    rows = sorted(results, key=lambda r: (int(r["params"]["size"]), r["params"]["layout"], r["params"]["backend"]))
    for r in rows:
        n = int(r["params"]["size"])
        t_text, t = cell(r["primaryMetric"])
        unit = {"us/op": 1e-6, "ns/op": 1e-9, "ms/op": 1e-3}[r["primaryMetric"]["scoreUnit"]]
        rates = [2.0 * n ** 3 / (x * unit) / 1e9 for x in samples(r["primaryMetric"])]
        m, lo, hi = stats(rates)
        frac = m / peak if peak else float("nan")
        fractions[(n, r["params"]["layout"], r["params"]["backend"])] = frac
        lines.append("| {}³ | {} | {} | {} | {} ({}–{}) | {:.0%} |".format(n, r["params"]["layout"], r["params"]["backend"], t_text,
                                                                         num(m), num(lo), num(hi), frac))
    return "\n".join(lines), fractions


def compile_table(warm, cold):
    lines = ["### Compile time", "",
             "`janino`: the generated vector source compiled through a loader that never caches (`new JaninoLoader(0)`). "
             "`pipeline`: passes, memory planning, code generation and the Janino compile. Warm: a JVM that has compiled "
             "for seconds already (JMH average time). Cold: the first compile in a fresh JVM (single shot, one per fork).", "",
             "| network | janino warm ms | pipeline warm ms | janino cold ms |", "| --- | ---: | ---: | ---: |"]
    w = by_params(warm, "network")
    c = by_params(cold, "network")
    medians = {}
    for n in NETWORKS:
        row = [n]
        for key, table in ((("janino", n), w), (("pipeline", n), w), (("janino", n), c)):
            r = table.get(key)
            if r is None:
                row.append("–")
                continue
            text, m = cell(r["primaryMetric"])
            row.append(text)
            medians.setdefault(n, []).append(m)
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines), medians


def gc_table(results):
    lines = ["### Allocation per training step", "",
             "`-prof gc`: `gc.alloc.rate.norm`, bytes allocated per call, median over iterations.", "",
             "| network | " + " | ".join(MODES) + " |", "| --- |" + " ---: |" * len(MODES)]
    table = by_params(results, "network", "mode")
    worst = {}
    for n in NETWORKS:
        row = [n]
        for mode in MODES:
            r = table.get(("step", n, mode))
            metric = None if r is None else {k.lstrip("·"): v for k, v in r.get("secondaryMetrics", {}).items()}.get("gc.alloc.rate.norm")
            if metric is None:
                row.append("–")
                continue
            m, _, _ = stats(samples(metric))
            worst[(n, mode)] = m
            row.append("{:,.0f} B".format(m) if m >= 1 else "{:.3f} B".format(m))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines), worst


def alloc_check(directory):
    """{(network, mode): bytes per step} from AllocationCheck's output, if the part was run."""
    f = Path(directory) / "alloc.txt"
    out = {}
    if f.exists():
        for line in f.read_text().splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[0] in NETWORKS:
                out[(parts[0], parts[1])] = float(parts[2])
    return out


def torch_table(torch, steps, source):
    lines = ["### Against PyTorch eager (training step, one thread)", "",
             "PyTorch {} (Debian `python3-torch`, OpenBLAS via `LD_LIBRARY_PATH`), {} timed blocks per network, from {}; "
             "Fusebox: compiled vector step from the table above.".format(torch["info"]["torch"],
                                                                         next(iter(torch["results"].values()))["blocks"], source), "",
             "| network | PyTorch µs median (IQR) | Fusebox vector µs | speed-up | target | met |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    speedups = {}
    for n in NETWORKS:
        t = torch["results"].get(n)
        f = steps.get(n, {}).get("vector")
        if t is None or f is None:
            continue
        s = t["median_us"] / f
        speedups[n] = s
        lines.append("| {} | {} ({}–{}) | {} | {} | ≥ {}× | {} |".format(n, num(t["median_us"]), num(t["p25_us"]), num(t["p75_us"]),
                                                                        num(f), ratio(t["median_us"], f), TORCH_TARGET[n],
                                                                        "yes" if s >= TORCH_TARGET[n] else "no"))
    return "\n".join(lines), speedups


SPECS = Path(__file__).resolve().parent / "src/main/resources/dev/fusebox/bench/specs"


def matmul_flops(network):
    """FLOPs of the matmuls in one forward pass and in one training step (forward, dX of every layer but
    the first, dW of every layer); the elementwise work is left out."""
    spec = json.loads((SPECS / (network + ".json")).read_text())
    widths = [spec["input"]] + [l["units"] for l in spec["layers"]]
    b = spec.get("batch", 32)
    per_layer = [2.0 * b * i * o for i, o in zip(widths, widths[1:])]
    forward = sum(per_layer)
    return forward, forward + sum(per_layer) + sum(per_layer[1:])


def efficiency_table(steps, forward, peak):
    lines = ["### Achieved GFLOP/s (compiled vector, matmul FLOPs only)", "",
             "Matmul FLOPs of the network divided by the median time above: how close a whole step comes to the "
             "measured peak (elementwise work, loss and optimizer update not counted).", "",
             "| network | MFLOP per step | step GFLOP/s | of peak | MFLOP forward | forward GFLOP/s | of peak |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n in NETWORKS:
        f, s = matmul_flops(n)
        st = steps.get(n, {}).get("vector")
        fw = forward.get(n, {}).get("vector")
        row = [n, num(s / 1e6)]
        for flops, t in ((s, st), (f, fw)):
            if flops is not s:
                row.append(num(f / 1e6))
            if t is None:
                row += ["–", "–"]
                continue
            rate = flops / (t * 1e-6) / 1e9
            row += [num(rate), "{:.0%}".format(rate / peak) if peak else "–"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


SCORING_NETWORKS = ["digits", "mnist", "wide"]
SCORING_TARGET = 1.2


def scoring_table(results, peak):
    """Rows per second of OnnxRuntimeBenchmark (ONNX Runtime against Fusebox), with ratios and GFLOP/s;
    returns the text and {(network, batch): Fusebox/ONNX Runtime} for the targets."""
    table = by_params(results, "network", "batch", "engine")
    batches = sorted({int(k[2]) for k in table})
    lines = ["### Scoring against ONNX Runtime (one thread)", "",
             "Rows per second of one call on `batch` rows: the dense layers and the softmax; median (interquartile range); "
             "ratios of medians. GFLOP/s counts the matmul FLOPs only, as a fraction of the FMA peak measured in the same run.", "",
             "| network | batch | ONNX Runtime rows/s | Fusebox rows/s | Fusebox / ORT | Fusebox compiled for 256, rows/s | "
             "for 256 / ORT | ORT GFLOP/s (of peak) | Fusebox GFLOP/s (of peak) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    ratios = {}

    def rate_cell(r, b):
        if r is None:
            return "–", None
        m, lo, hi = stats([b / (t * 1e-6) for t in samples(r["primaryMetric"])])
        return "{} ({}–{})".format(num(m), num(lo), num(hi)), m

    def gflops(network, rows_per_s):
        if rows_per_s is None:
            return "–"
        f, _ = matmul_flops(network)
        spec_batch = json.loads((SPECS / (network + ".json")).read_text()).get("batch", 32)
        rate = f / spec_batch * rows_per_s / 1e9
        return "{} ({})".format(num(rate), "{:.0%}".format(rate / peak) if peak else "no peak")

    for n in SCORING_NETWORKS:
        for b in batches:
            ort_text, ort = rate_cell(table.get(("score", n, str(b), "onnxruntime")), b)
            fb_text, fb = rate_cell(table.get(("score", n, str(b), "fusebox")), b)
            big_text, big = rate_cell(table.get(("score", n, str(b), "fusebox_256")), b)
            if ort is None and fb is None:
                continue
            if ort and fb:
                ratios[(n, b)] = fb / ort
            lines.append("| " + " | ".join([n, str(b), ort_text, fb_text, ratio(fb, ort) if ort and fb else "–", big_text,
                                             ratio(big, ort) if ort and big else "–", gflops(n, ort), gflops(n, fb)]) + " |")
    lines.append("")
    lines.append(forks_note(results))
    return "\n".join(lines), ratios


def threads_table(two, steps):
    """The vector step on two threads (the threads part) against one thread (the steps part)."""
    table = by_params(two, "network", "mode", "threads")
    lines = ["### Two threads (compiled vector, training step)", "",
             "Large matmuls split their rows over a persistent pool; results are bitwise identical to one thread. "
             "The second vCPU is shared and comes and goes, so these figures are reported, never promised.", "",
             "| network | 1 thread µs | 2 threads µs median (IQR) | 1 / 2 threads |", "| --- | ---: | ---: | ---: |"]
    for n in NETWORKS:
        r = table.get(("step", n, "vector", "2"))
        one = steps.get(n, {}).get("vector")
        if r is None or one is None:
            continue
        text, m = cell(r["primaryMetric"])
        lines.append("| {} | {} | {} | {} |".format(n, num(one), text, ratio(one, m)))
    return "\n".join(lines)


def also_table(dirs):
    """Training-step medians of the vector and interpreter modes, one column pair per results directory."""
    heads, cols = [], []
    for d in dirs:
        results = load(d, "steps")
        if results is None:
            continue
        jvm = results[0].get("vmVersion", "?")
        heads.append("{} ({})".format(Path(d).name, jvm))
        cols.append(by_params(results, "network", "mode"))
    if len(cols) < 2:
        return None
    lines = ["### Training step across JDKs", "", "Median µs per step (interquartile range).", "",
             "| network | mode | " + " | ".join(heads) + " |", "| --- | --- |" + " ---: |" * len(heads)]
    for n in NETWORKS:
        for mode in MODES:
            row = [n, mode]
            for t in cols:
                r = t.get(("step", n, mode))
                row.append(cell(r["primaryMetric"])[0] if r else "–")
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("results", help="a directory bench/run.sh wrote")
    p.add_argument("--also", action="append", default=[], help="another results directory to compare training steps with")
    p.add_argument("--torch", help="the results directory whose PyTorch timings to compare with (default: RESULTS)")
    args = p.parse_args()
    d = args.results

    machine = Path(d) / "machine.txt"
    if machine.exists():
        print("### Machine and JDK\n")
        for line in machine.read_text().splitlines():
            print("- " + line)
        load_file = Path(d) / "load.txt"
        if load_file.exists():
            print("- load before each part: " + "; ".join(l.strip("= ").strip() for l in load_file.read_text().splitlines()))
        print()

    targets = []
    steps_results = load(d, "steps")
    steps = {}
    if steps_results:
        text, steps = times_table(steps_results, "step", "Training step (forward, backward, update)", "µs")
        print(text + "\n")
        for n in NETWORKS:
            m = steps.get(n, {})
            if "interpreter" in m and "vector" in m:
                r = m["interpreter"] / m["vector"]
                targets.append(("compiled vector ≥ 10× interpreter, " + n, ratio(m["interpreter"], m["vector"]), r >= INTERP_TARGET))
    two = load(d, "threads")
    if two and steps:
        print(threads_table(two, steps) + "\n")
    forward_results = load(d, "forward")
    forward = {}
    if forward_results:
        text, forward = times_table(forward_results, "forward", "Inference (forward pass)", "µs")
        print(text + "\n")

    peak = None
    peak_results = load(d, "peak")
    if peak_results:
        text, peak = peak_table(peak_results)
        print(text + "\n")
    if steps and forward:
        print(efficiency_table(steps, forward, peak) + "\n")
    matmul_results = load(d, "matmul")
    if matmul_results:
        text, fractions = matmul_table(matmul_results, peak)
        print(text + "\n")
        for (n, layout, backend), f in sorted(fractions.items()):
            if backend == "vector":
                targets.append(("matmul ≥ 90% of peak, {}³ {}".format(n, layout), "{:.0%}".format(f), f >= PEAK_TARGET))

    onnx_results = load(d, "onnx")
    if onnx_results:
        text, ratios = scoring_table(onnx_results, peak)
        print(text + "\n")
        for (n, b), r in ratios.items():
            targets.append(("scoring ≥ {}× ONNX Runtime, {} batch {}".format(SCORING_TARGET, n, b), ratio(r, 1), r >= SCORING_TARGET))

    gc_results = load(d, "gc")
    if gc_results:
        text, alloc = gc_table(gc_results)
        print(text + "\n")
    exact = alloc_check(d)
    if exact:
        lines = ["### Allocation per training step, exact", "",
                 "`AllocationCheck`: the stepping thread's allocation counter around a block of warm steps "
                 "(`-prof gc` above also counts JMH's and the JIT's threads, a few hundred bytes to a few KB per call on slow steps).",
                 "", "| network | " + " | ".join(m for m in MODES if any(k[1] == m for k in exact)) + " |"]
        modes = [m for m in MODES if any(k[1] == m for k in exact)]
        lines.append("| --- |" + " ---: |" * len(modes))
        for n in NETWORKS:
            lines.append("| " + n + " | " + " | ".join("{:,.0f} B".format(exact[(n, m)]) if (n, m) in exact else "–" for m in modes) + " |")
        print("\n".join(lines) + "\n")
        for n in NETWORKS:
            if (n, "vector") in exact:
                v = exact[(n, "vector")]
                targets.append(("0 bytes per step, vector, " + n, "{:,.0f} B".format(v), v < 1))

    warm, cold = load(d, "compile"), load(d, "compile-cold")
    if warm or cold:
        text, medians = compile_table(warm, cold)
        print(text + "\n")
        if warm and "mnist" in medians:
            targets.append(("warm Janino compile of the mnist trainer ≤ 50 ms", "{} ms".format(num(medians["mnist"][0])),
                            medians["mnist"][0] <= COMPILE_TARGET_MS))

    torch_dir = args.torch or d
    torch = load(torch_dir, "torch")
    if torch and steps:
        text, speedups = torch_table(torch, steps, "`{}`".format(Path(torch_dir).name))
        print(text + "\n")
        for n, s in speedups.items():
            targets.append(("faster than PyTorch ≥ {}×, {}".format(TORCH_TARGET[n], n), ratio(s, 1), s >= TORCH_TARGET[n]))

    if args.also:
        text = also_table([d] + args.also)
        if text:
            print(text + "\n")

    if targets:
        print("### Targets\n")
        print("| target | measured | met |\n| --- | ---: | --- |")
        for name, value, met in targets:
            print("| {} | {} | {} |".format(name, value, "yes" if met else "**no**"))
        print()


if __name__ == "__main__":
    main()
