/** The API key and static bearer token method. Not exported. */
@NullMarked
package dev.llmauth.apikey;

import org.jspecify.annotations.NullMarked;
