/** The {@code file-token} credential method: {@link com.example.filetoken.FileTokenProvider}. */
package com.example.filetoken;
