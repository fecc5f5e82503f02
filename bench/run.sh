#!/usr/bin/env bash
# Runs the benchmark suite (or some of its parts) and writes each part's JMH results as JSON, plus the
# machine's description, into bench/results/LABEL/; bench/report.py turns that directory into the
# markdown tables of BENCHMARKS.md.
#
#   bench/run.sh [--java DIR] [--label NAME] [--quick] [--jmh "ARGS"] [PART...]
#
# PART is any of: steps threads forward matmul peak compile compile-cold gc alloc torch onnx (default: all).
# threads is the vector step of the larger networks on two kernel threads.
# onnx is OnnxRuntimeBenchmark: scoring rows per second, ONNX Runtime's Java API against Fusebox.
# alloc is AllocationCheck: the stepping thread's exact allocation per step (-prof gc also counts
# JMH's and the JIT's threads).
# --java DIR   the JDK to run the benchmarks on (default: the java on PATH)
# --label NAME the results directory's name (default: jdkVERSION-DATE)
# --quick      one fork and short iterations: for checking that everything runs, not for numbers
# --jmh ARGS   more JMH arguments for every JMH part, e.g. --jmh "-p mode=interpreter,vector"
#
# Build first, from the repository's root: mvn -B install -DskipTests -Ponnxruntime (it writes
# bench/target/benchmarks.jar; without -Ponnxruntime a build that skips the tests leaves out ONNX Runtime
# and the onnx part).
# Building the bench module alone would shade whatever fusebox-compiler and fusebox-runtime the local
# Maven repository holds, which need not be this checkout's.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/benchmarks.jar"
java_cmd=java
label=""
quick=false
extra=()
parts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --java) java_cmd="$2/bin/java"; shift 2 ;;
    --label) label="$2"; shift 2 ;;
    --quick) quick=true; shift ;;
    --jmh) read -ra extra <<< "$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 1 ;;
    *) parts+=("$1"); shift ;;
  esac
done
[ ${#parts[@]} -gt 0 ] || parts=(peak matmul steps threads forward gc alloc compile compile-cold torch onnx)
[ -f "$jar" ] || { echo "run.sh: $jar is missing: run 'mvn -B install -DskipTests -Ponnxruntime' first" >&2; exit 1; }
if [[ " ${parts[*]} " == *" onnx "* ]] && ! "${java_cmd%java}jar" tf "$jar" | grep -x 'dev/fusebox/bench/onnxruntime/OnnxRuntimeBenchmark.class' >/dev/null; then
  echo "run.sh: $jar has no OnnxRuntimeBenchmark: build it with -Ponnxruntime (mvn -B install -DskipTests -Ponnxruntime)" >&2; exit 1
fi

version="$("$java_cmd" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p')"
[ -n "$label" ] || label="jdk${version%%.*}-$(date +%Y%m%d-%H%M)"
out="$here/results/$label"
mkdir -p "$out"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ) (of the last part run into this directory)"
  echo "fusebox: commit $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown), benchmarks.jar built $(date -u -r "$jar" +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
  echo "cores: $(nproc)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel: $(uname -r)"
  echo "java: $("$java_cmd" -version 2>&1 | sed -n 2p)"
  echo "avx-512: $(grep -q -w avx512f /proc/cpuinfo && echo yes || echo no)"
} > "$out/machine.txt"

# JMH options per part: quick runs check plumbing only.
if $quick; then
  common=(-f 1 -wi 1 -w 300ms -i 1 -r 300ms)
  steps_opts=("${common[@]}"); forward_opts=("${common[@]}"); gc_opts=("${common[@]}")
  cold_opts=(-f 1); compile_opts=("${common[@]}"); onnx_opts=("${common[@]}")
else
  common=()
  steps_opts=(-f 3)
  forward_opts=(-f 2)
  gc_opts=(-f 1 -wi 8 -i 3)
  cold_opts=(-f 10)
  compile_opts=()
  onnx_opts=()  # the class's @Fork(1): one fork, 6 + 5 one-second iterations
fi

jmh() { # part, then JMH arguments
  local part="$1"; shift
  echo "== $part: $(uptime | sed 's/.*load average/load average/')" | tee -a "$out/load.txt"
  "$java_cmd" --add-modules=jdk.incubator.vector -jar "$jar" "$@" ${extra[@]+"${extra[@]}"} -rf json -rff "$out/$part.json" > "$out/$part.log" 2>&1 \
    || { echo "run.sh: $part failed, see $out/$part.log" >&2; tail -20 "$out/$part.log" >&2; exit 1; }
}

for part in "${parts[@]}"; do
  case "$part" in
    peak) jmh peak 'FmaPeakBenchmark' "${common[@]}" ;;
    matmul) jmh matmul 'MatmulBenchmark' "${common[@]}" ;;
    steps) jmh steps 'TrainingBenchmark.step' "${steps_opts[@]}" ;;
    threads) jmh threads 'TrainingBenchmark.step' -p threads=2 -p mode=vector -p network=digits,mnist,wide "${steps_opts[@]}" ;;
    forward) jmh forward 'TrainingBenchmark.forward' "${forward_opts[@]}" ;;
    gc) jmh gc 'TrainingBenchmark.step' -prof gc "${gc_opts[@]}" ;;
    alloc)
      echo "== alloc: $(uptime | sed 's/.*load average/load average/')" | tee -a "$out/load.txt"
      warm=10; $quick && warm=1
      "$java_cmd" --add-modules=jdk.incubator.vector -cp "$jar" dev.fusebox.bench.AllocationCheck "$warm" > "$out/alloc.txt" 2>&1 \
        || { echo "run.sh: alloc failed, see $out/alloc.txt" >&2; exit 1; } ;;
    compile) jmh compile 'CompileBenchmark' "${compile_opts[@]}" ;;
    onnx) jmh onnx 'OnnxRuntimeBenchmark' "${onnx_opts[@]}" ;;
    compile-cold) jmh compile-cold 'CompileBenchmark.janino' -bm ss -wi 0 -i 1 -tu ms "${cold_opts[@]}" ;;
    torch)
      echo "== torch: $(uptime | sed 's/.*load average/load average/')" | tee -a "$out/load.txt"
      repeats=15; $quick && repeats=3
      LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 "$here/pytorch/torch_bench.py" \
        --repeats "$repeats" --json "$out/torch.json" > "$out/torch.log" 2>&1 \
        || { echo "run.sh: torch failed, see $out/torch.log" >&2; tail -20 "$out/torch.log" >&2; exit 1; } ;;
    *) echo "run.sh: unknown part '$part'" >&2; exit 1 ;;
  esac
done
echo "== done: $(uptime | sed 's/.*load average/load average/')" | tee -a "$out/load.txt"
echo "results in $out; tables: python3 $here/report.py $out"
