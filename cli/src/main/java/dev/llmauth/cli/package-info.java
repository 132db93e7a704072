/** The command line's commands. Not exported: the CLI's interface is its commands, see {@code docs/cli.md}. */
@NullMarked
package dev.llmauth.cli;

import org.jspecify.annotations.NullMarked;
