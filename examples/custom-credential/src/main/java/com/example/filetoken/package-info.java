/** The {@code file-token} credential method: {@link com.example.filetoken.FileTokenMethod}. */
package com.example.filetoken;
