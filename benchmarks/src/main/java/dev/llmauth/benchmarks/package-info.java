/** IN PROGRESS. */
package dev.llmauth.benchmarks;
