/** The API key and static bearer token method ({@link dev.llmauth.apikey.ApiKeyMethod}) and its settings. */
@NullMarked
package dev.llmauth.apikey;

import org.jspecify.annotations.NullMarked;
