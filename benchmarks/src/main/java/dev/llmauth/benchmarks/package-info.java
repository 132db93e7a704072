/**
 * Benchmarks of llm-auth against other libraries' token caches (azure-core, google-auth-library, the AWS SDK v2),
 * always measured in the same run: the JMH hot path ({@link dev.llmauth.benchmarks.TokenCacheHotPathBenchmark}),
 * the counted refresh storm ({@link dev.llmauth.benchmarks.RefreshStorm}), the cost of our HTTP adapters ({@link
 * dev.llmauth.benchmarks.AdapterOverheadBenchmark}) and start-up ({@link dev.llmauth.benchmarks.StartupRun}). Not
 * published; run {@code benchmarks/run.sh}.
 */
@NullMarked
package dev.llmauth.benchmarks;

import org.jspecify.annotations.NullMarked;
