package dev.llmauth.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.TokenException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The output contract: text, JSON with {@code expires_in} or {@code expires_at}, and errors that never quote it. */
class CommandOutputTest {
  private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.payload-1c8e0f.sig";
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final Duration REFRESH_AFTER = Duration.ofMinutes(5);

  @Test
  void textIsStrippedAndUsedForRefreshAfter() {
    AccessToken t = parse("\n  " + TOKEN + "\r\n", CommandSpec.Format.AUTO);
    assertThat(t.value().reveal()).isEqualTo(TOKEN);
    assertThat(t.expires()).isFalse();
    assertThat(t.refreshAt()).isEqualTo(NOW.plus(REFRESH_AFTER));
  }

  @Test
  void textFormatTakesABraceLiterally() {
    assertThat(parse("{abc}", CommandSpec.Format.TEXT).value().reveal()).isEqualTo("{abc}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"3600", "\"3600\"", "3600.0", "\" 3600 \""})
  void expiresInIsSecondsAsNumberOrString(String value) {
    AccessToken t = parse("{\"token\": \"" + TOKEN + "\", \"expires_in\": " + value + "}", CommandSpec.Format.AUTO);
    assertThat(t.value().reveal()).isEqualTo(TOKEN);
    assertThat(t.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1796122800", "\"1796122800\"", "\"2026-12-01T11:00:00Z\"", "\"2026-12-01T12:00:00+01:00\""})
  void expiresAtIsEpochSecondsOrRfc3339(String value) {
    AccessToken t = parse("{\"expires_at\": " + value + ", \"token\": \"" + TOKEN + "\"}", CommandSpec.Format.JSON);
    assertThat(t.expiresAt()).isEqualTo(Instant.parse("2026-12-01T11:00:00Z"));
  }

  @Test
  void jsonWithoutExpiryIsUsedForRefreshAfter() {
    AccessToken t = parse("{\"token\": \"" + TOKEN + "\", \"expires_in\": null, \"kind\": {\"x\": [1]}}",
        CommandSpec.Format.AUTO);
    assertThat(t.expires()).isFalse();
    assertThat(t.refreshAt()).isEqualTo(NOW.plus(REFRESH_AFTER));
  }

  @Test
  void badOutputIsExplainedWithoutQuotingIt() {
    assertError("   \n", "printed nothing on stdout");
    assertError(TOKEN + " " + TOKEN, "with whitespace or characters that cannot go in an HTTP header (at position "
        + (TOKEN.length() + 1));
    assertError("{\"token\": \"" + TOKEN + "\"", "is not valid JSON (line 1 column");
    assertError("{\"token\": \"" + TOKEN + "\"} trailing", "not valid JSON");
    assertError("{\"token\": 42}", "has token that is not a string");
    assertError("{\"access_token\": \"" + TOKEN + "\"}", "has no string field token (its access_token is not read");
    assertError("{\"kind\": \"x\"}", "has no string field token; print");
    assertError("{\"token\": \"" + TOKEN + "\", \"token\": \"x\"}", "has the field token twice");
    assertError("{\"token\": \"" + TOKEN + "\", \"expires_in\": 60, \"expires_at\": 1796122800}",
        "has both expires_in and expires_at; give one");
    assertError("{\"token\": \"" + TOKEN + "\", \"expires_in\": -5}", "has expires_in -5, which is not a positive");
    assertError("{\"token\": \"" + TOKEN + "\", \"expires_in\": \"soon\"}", "has expires_in that is not a number");
    assertError("{\"token\": \"" + TOKEN + "\", \"expires_in\": [60]}", "neither a number nor a string");
    assertError("{\"token\": \"" + TOKEN + "\", \"expires_at\": 1796122800000}", "looks like milliseconds");
    assertError("{\"token\": \"" + TOKEN + "\", \"expires_at\": \"2026-12-01T09:00:00Z\"}", "the token has already "
        + "expired");
    assertError("{\"token\": \"" + TOKEN + "\", \"expires_at\": \"tomorrow\"}", "neither epoch seconds nor an RFC 3339");
    assertError("{\"token\": \"" + TOKEN + " x\"}", "printed the JSON field token with whitespace");
    assertThat(catchThrowableOfType(TokenException.class, () -> parse("[\"" + TOKEN + "\"]",
        CommandSpec.Format.JSON)).getMessage()).contains("is not a JSON object").doesNotContain(TOKEN);
  }

  private static AccessToken parse(String stdout, CommandSpec.Format format) {
    return CommandOutput.parse(stdout, format, NOW, REFRESH_AFTER, "command h of provider 'p'");
  }

  private static void assertError(String stdout, String text) {
    TokenException e = catchThrowableOfType(TokenException.class, () -> parse(stdout, CommandSpec.Format.AUTO));
    assertThat(e).as(stdout).isNotNull();
    assertThat(e.getMessage()).as(stdout).startsWith("command h of provider 'p' printed ").contains(text)
        .doesNotContain(TOKEN).doesNotContain("payload-1c8e0f");
    assertThat(e.toString()).doesNotContain(TOKEN);
  }
}
