#!/usr/bin/env bash
# Runs the published benchmark profile (about 15 minutes on 2 cores) and writes benchmarks/results/:
#   latest.json          JMH JSON: the per-request path (RequestPathBenchmark, 3 forks) and the token-cache lookup
#                        alone (TokenCacheHotPathBenchmark), 1 and 2 threads, with -prof gc
#   latest.machine.json  the machine and load average of that run
#   storm.json           the counted refresh storm
#   adapter.json         each HTTP adapter vs the bare client: JMH, interleaved requests, throughput at 1 and 16
#                        threads with and without token refreshes
#   scale.json           1, 100 and 10,000 providers: memory, hit cost, and behaviour past maximumSize
#   startup.json         classes loaded and time to the first request: API key, bare client, Entra managed identity,
#                        the Entra chain through LlmAuthConfig.load and azure-identity alone, over netty and the JDK client
#   run.log              everything printed, with the load average before each step
# Then regenerates the tables of benchmarks/README.md and the figures in README.md from those files (ReadmeTables).
# Builds the module first (offline) unless benchmarks/target/lib exists; pass --build to force it.
# --tables only regenerates the README tables from the committed results.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--build" || ! -d benchmarks/target/lib ]]; then
  mvn -B -o -q -pl benchmarks -am package -DskipTests
fi

CP="benchmarks/target/classes:benchmarks/target/lib/*"
OUT=benchmarks/results
if [[ "${1:-}" == "--tables" ]]; then
  exec java -cp "$CP" dev.llmauth.benchmarks.ReadmeTables "$OUT" benchmarks/README.md README.md
fi
mkdir -p "$OUT"
exec > >(tee "$OUT/run.log") 2>&1

load() { echo "-- $(date -u +%H:%M:%S) load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | tail -1)"
load
echo "== 1. Per-request path and cache lookup (JMH): ours vs azureCore, googleAuth (and awsSdk for the lookup)"
java -cp "$CP" dev.llmauth.benchmarks.HotPathRun "$OUT/latest.json"

load
echo "== 2. Refresh storm (counted)"
java -Xss256k -cp "$CP" dev.llmauth.benchmarks.RefreshStorm "$OUT/storm.json"

load
echo "== 3. Adapter overhead: jdk, okhttp, apache classic, each bare and through its adapter"
java -cp "$CP" dev.llmauth.benchmarks.AdapterRun "$OUT/adapter.json" 3 5 3000

load
echo "== 4. Scale: 1, 100 and 10,000 providers"
java -Xmx1g -cp "$CP" dev.llmauth.benchmarks.ScaleRun "$OUT/scale.json"

load
echo "== 5. Start-up: API key, bare client, Entra managed identity, Entra chain (llm-auth, azure-identity alone) over netty and the JDK client, 5 JVMs each"
java -cp "$CP" dev.llmauth.benchmarks.StartupRun "$OUT/startup.json" 5

load
echo "== 6. Tables of benchmarks/README.md"
java -cp "$CP" dev.llmauth.benchmarks.ReadmeTables "$OUT" benchmarks/README.md README.md

load
echo "== done: $OUT"
