#!/usr/bin/env bash
# Times the README's iris example (fusebox train, 60 epochs of 8 steps) in a terminal and piped, to
# show that the progress bar a terminal gets costs nothing measurable. Each round runs it once piped
# (`| cat`, so there is no console and the trainer prints lines) and once under a pseudo-terminal
# (`script -qc ... /dev/null`, so there is one and the trainer draws its bar), and prints the wall
# time of the whole process and the trainer's own "done: 480 steps in X s"; then the medians.
#
#   bench/terminal.sh [ROUNDS]          (default 10; needs script(1), from util-linux)
#
# Build the command-line jar first: mvn -B install -DskipTests (or mvn -B -pl compiler -am package -DskipTests).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-10}"
jar="$(ls -t "$root"/compiler/target/fusebox-compiler-*-cli.jar 2>/dev/null | head -n 1 || true)"
[[ -n "$jar" ]] || { echo "terminal.sh: no compiler/target/fusebox-compiler-*-cli.jar; build it first" >&2; exit 1; }
d="$root/compiler/src/test/resources/dev/fusebox/cli"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
cmd="java --add-modules=jdk.incubator.vector -jar $jar train $d/iris.json --data $d/iris-train.csv --label species --valid $d/iris-valid.csv --out iris.safetensors"

declare -A times
for ((i = 1; i <= rounds; i++)); do
  for mode in piped terminal; do
    start=$(date +%s%N)
    if [[ $mode == piped ]]; then out="$($cmd 2>&1 | cat)"; else out="$(script -qc "$cmd" /dev/null)"; fi
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    times[$mode]+="$ms "
    printf '%-8s %5d ms  %s\n' "$mode" "$ms" "$(tr -d '\r' <<< "$out" | grep '^done:' | sed 's/  loss.*//')"
  done
done
median() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
p=$(median "${times[piped]}")
t=$(median "${times[terminal]}")
awk -v p="$p" -v t="$t" 'BEGIN {printf "median wall time: piped %d ms, terminal %d ms, terminal / piped %.3f\n", p, t, t / p}'
