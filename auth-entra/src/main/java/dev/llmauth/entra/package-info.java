/**
 * The {@code entra} credential method ({@link dev.llmauth.entra.EntraMethod}) and the bridge from an
 * azure {@code TokenCredential} ({@link dev.llmauth.entra.AzureTokenCredentials}).
 */
@NullMarked
package dev.llmauth.entra;

import org.jspecify.annotations.NullMarked;
