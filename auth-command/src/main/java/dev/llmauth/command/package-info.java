/** The command (credential helper) method. Not exported. */
@NullMarked
package dev.llmauth.command;

import org.jspecify.annotations.NullMarked;
