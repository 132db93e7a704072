/** The abstract conformance suites; see {@code RULES.md}. */
@NullMarked
package dev.llmauth.conformance;

import org.jspecify.annotations.NullMarked;
