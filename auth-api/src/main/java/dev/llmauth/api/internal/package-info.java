/** Implementation details; not exported. */
@NullMarked
package dev.llmauth.api.internal;

import org.jspecify.annotations.NullMarked;
