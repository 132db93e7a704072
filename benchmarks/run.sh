#!/usr/bin/env bash
# Runs the short benchmark profile (about 4 minutes on 2 cores) and writes benchmarks/results/:
#   latest.json   JMH JSON of the token-cache hot path, 1 and 2 threads, with -prof gc
#   storm.json    the counted refresh storm
#   adapter.json  one loopback request through each HTTP adapter vs the bare client (JMH, then interleaved)
#   startup.json  classes loaded and time to the first request: API key, bare client, Entra managed identity,
#                 the Entra chain through LlmAuthConfig.load and azure-identity alone, each over netty and the JDK client
#   run.log       everything printed, tables included, with the load average before each step
# Builds the module first (offline) unless benchmarks/target/lib exists; pass --build to force it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--build" || ! -d benchmarks/target/lib ]]; then
  mvn -B -o -q -pl benchmarks -am package -DskipTests
fi

CP="benchmarks/target/classes:benchmarks/target/lib/*"
OUT=benchmarks/results
mkdir -p "$OUT"
exec > >(tee "$OUT/run.log") 2>&1

load() { echo "-- $(date -u +%H:%M:%S) load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | tail -1)"
load
echo "== 1. Hot path (JMH): ours vs azureCore, googleAuth, awsSdk at 1 and 2 threads"
java -cp "$CP" dev.llmauth.benchmarks.HotPathRun "$OUT/latest.json" 4 5

load
echo "== 2. Refresh storm (counted)"
java -Xss256k -cp "$CP" dev.llmauth.benchmarks.RefreshStorm "$OUT/storm.json"

load
echo "== 3. Adapter overhead: jdk, okhttp, apache classic, each bare and through its adapter"
java -cp "$CP" dev.llmauth.benchmarks.AdapterRun "$OUT/adapter.json" 3 5 3000

load
echo "== 4. Start-up: API key, bare client, Entra managed identity, Entra chain (llm-auth, azure-identity alone) over netty and the JDK client, 5 JVMs each"
java -cp "$CP" dev.llmauth.benchmarks.StartupRun "$OUT/startup.json" 5

load
echo "== done: $OUT"
