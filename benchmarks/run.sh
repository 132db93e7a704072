#!/usr/bin/env bash
# Runs the short benchmark profile (about 3 minutes on 2 cores) and writes benchmarks/results/:
#   latest.json   JMH JSON of the token-cache hot path, 1 and 2 threads, with -prof gc
#   storm.json    the counted refresh storm
#   startup.json  classes loaded and time to the first request of an API-key-only JVM
#   run.log       everything printed, tables included
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

echo "== 1. Hot path (JMH): ours vs azureCore, googleAuth, awsSdk at 1 and 2 threads"
java -cp "$CP" dev.llmauth.benchmarks.HotPathRun "$OUT/latest.json" 4 5

echo "== 2. Refresh storm (counted)"
java -Xss256k -cp "$CP" dev.llmauth.benchmarks.RefreshStorm "$OUT/storm.json"

echo "== 3. Adapter overhead"
# NOT MEASURED YET: needs the HTTP adapters (LlmAuthHttpClient.wrap for java.net.http, LlmAuthInterceptor for
# OkHttp, the Apache one) and dev.llmauth.conformance.mock.MockModelServer. Add a JMH class AdapterOverheadBenchmark
# (a loopback request per adapter vs the bare client with a hand-set header) and run it here into adapter.json.
echo "not measured yet: the HTTP adapters and the mock model server are not part of this build"

echo "== 4. Start-up"
java -cp "$CP" dev.llmauth.benchmarks.StartupRun "$OUT/startup.json" 5
# NOT MEASURED YET: time to the first request with Entra against dev.llmauth.conformance.mock.MockIdentityServer
# (needs auth-entra and the mock servers); StartupRun writes "entra": null until then.
echo "Entra start-up: not measured yet (auth-entra and the mock identity server are not part of this build)"

echo "== done: $OUT"
