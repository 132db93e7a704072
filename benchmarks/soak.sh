#!/usr/bin/env bash
# The soak: Codex OAuth and Entra managed identity, each through the java.net.http, OkHttp and Apache adapters,
# 64 threads for 60 s per part against the loopback mock servers, with 2-second tokens, rotation and a fault at the
# issuer every 3 s. Writes benchmarks/results/soak.json and prints a table; exits 1 when any request reached the
# model server with an expired token or any request was lost. About 7 minutes on 2 cores.
#   bash benchmarks/soak.sh [--build] [--seconds N] [--threads N] [--methods codex,entra] [--adapters jdk,okhttp,apache]
# A quick check: bash benchmarks/soak.sh --seconds 5 --threads 8 --out benchmarks/results/soak-smoke.json
# Builds the module first (offline) unless benchmarks/target/lib exists; --build forces it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--build" ]]; then
  shift
  BUILD=1
fi
if [[ -n "${BUILD:-}" || ! -d benchmarks/target/lib ]]; then
  mvn -B -o -q -pl benchmarks -am package -DskipTests
fi

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | tail -1)"
exec java -Xmx2g -cp "benchmarks/target/classes:benchmarks/target/lib/*" dev.llmauth.benchmarks.Soak "$@"
