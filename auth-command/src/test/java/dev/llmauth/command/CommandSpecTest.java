package dev.llmauth.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code command} block: defaults, every key, and errors that name the field path and the fix. */
class CommandSpecTest {
  @Test
  void defaults() {
    CommandSpec spec = parse("{\"argv\": [\"op\", \"read\", \"op://vault/openai/key\"]}");
    assertThat(spec.argv()).containsExactly("op", "read", "op://vault/openai/key");
    assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(spec.refreshAfter()).isEqualTo(Duration.ofMinutes(5));
    assertThat(spec.format()).isEqualTo(CommandSpec.Format.AUTO);
    assertThat(spec.sendAs()).isEqualTo(CommandSpec.SendAs.API_KEY);
    assertThat(spec.env()).isEmpty();
    assertThat(spec.program()).isEqualTo("op");
  }

  @Test
  void everyKey() {
    CommandSpec spec = parse("{\"argv\": [\"/usr/local/bin/vault\", \"kv\", \"get\"], \"timeout\": \"500ms\", "
        + "\"refreshAfter\": 90, \"format\": \"json\", \"sendAs\": \"bearerToken\", \"env\": {\"VAULT_ADDR\": "
        + "\"https://vault:8200\"}}");
    assertThat(spec.timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(spec.refreshAfter()).isEqualTo(Duration.ofSeconds(90));
    assertThat(spec.format()).isEqualTo(CommandSpec.Format.JSON);
    assertThat(spec.sendAs()).isEqualTo(CommandSpec.SendAs.BEARER_TOKEN);
    assertThat(spec.env()).containsExactly(Map.entry("VAULT_ADDR", "https://vault:8200"));
    assertThat(spec.program()).isEqualTo("vault");
    assertThat(parse("{\"argv\": [\"x\"], \"timeout\": \"2m\", \"refreshAfter\": \"1h\"}").refreshAfter())
        .isEqualTo(Duration.ofHours(1));
  }

  @Test
  void noBlockIsNoSpec() {
    assertThat(CommandSpec.of(ProviderConfig.builder("p").build())).isNull();
  }

  @Test
  void errorsNameTheFieldPathAndTheFix() {
    assertError("[\"op\"]", "providers.p.command", "expected an object but found an array; write an object");
    assertError("{}", "providers.p.command.argv", "missing; give the program and its arguments");
    assertError("{\"argv\": \"op read x\"}", "providers.p.command.argv", "expected an array of strings but found a "
        + "string");
    assertError("{\"argv\": []}", "providers.p.command.argv", "empty; give the program");
    assertError("{\"argv\": [\"op\", 3]}", "providers.p.command.argv[1]", "expected a string but found a number");
    assertError("{\"argv\": [\"op\"], \"args\": []}", "providers.p.command.args", "unknown field; use argv, timeout, "
        + "refreshAfter, format, sendAs, env");
    assertError("{\"argv\": [\"op\"], \"timeout\": \"10 seconds\"}", "providers.p.command.timeout",
        "\"10 seconds\" is not a duration; write a whole number with a unit, such as \"500ms\"");
    assertError("{\"argv\": [\"op\"], \"timeout\": 0}", "providers.p.command.timeout", "must be more than 0");
    assertError("{\"argv\": [\"op\"], \"refreshAfter\": \"2d\"}", "providers.p.command.refreshAfter",
        "is not a duration");
    assertError("{\"argv\": [\"op\"], \"format\": \"yaml\"}", "providers.p.command.format", "unknown value \"yaml\"; "
        + "use one of auto, text, json");
    assertError("{\"argv\": [\"op\"], \"sendAs\": \"header\"}", "providers.p.command.sendAs", "unknown value "
        + "\"header\"; use apiKey");
    assertError("{\"argv\": [\"op\"], \"env\": [\"A=b\"]}", "providers.p.command.env", "expected an object");
    assertError("{\"argv\": [\"op\"], \"env\": {\"1X\": \"v\"}}", "providers.p.command.env", "\"1X\" is not a "
        + "variable name");
  }

  @Test
  void errorsNeverQuoteArgumentsOrEnvironmentValues() {
    ConfigException e = error("{\"argv\": [\"op\", \"--token=s3cr3t-arg-value\", false]}");
    assertThat(e.getMessage()).doesNotContain("s3cr3t-arg-value");
    ConfigException env = error("{\"argv\": [\"op\"], \"env\": {\"TOKEN\": 5, \"PASS\": \"s3cr3t-env-value\"}}");
    assertThat(env.field()).isEqualTo("providers.p.command.env.TOKEN");
    assertThat(env.getMessage()).doesNotContain("s3cr3t-env-value");
  }

  @Test
  void theConfigurationFileHandsTheBlockOverWithEnvironmentReferencesResolved() {
    LlmAuthConfig config = LlmAuthConfig.parse("{\"providers\": {\"p\": {\"authMode\": \"command\", \"command\": "
        + "{\"argv\": [\"op\", \"read\", \"${env:ITEM}\"], \"timeout\": 5}}}}", "inline", Map.of("ITEM", "op://v/k"));
    CommandSpec spec = CommandSpec.of(config.provider("p"));
    assertThat(spec.argv()).isEqualTo(List.of("op", "read", "op://v/k"));
    assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(5));
  }

  private static CommandSpec parse(String block) {
    return CommandSpec.of(config(block));
  }

  /** The provider as loaded without the command method, so that {@link CommandSpec#of} meets the block first. */
  private static ProviderConfig config(String block) {
    return LlmAuthConfig.parse("{\"providers\": {\"p\": {\"command\": " + block + "}}}", "inline", Map.of(),
        List.of()).provider("p");
  }

  private static ConfigException error(String block) {
    return catchThrowableOfType(ConfigException.class, () -> CommandSpec.of(config(block)));
  }

  private static void assertError(String block, String field, String text) {
    ConfigException e = error(block);
    assertThat(e).as(block).isNotNull();
    assertThat(e.field()).as(block).isEqualTo(field);
    assertThat(e.provider()).isEqualTo("p");
    assertThat(e.getMessage()).as(block).startsWith("provider 'p', " + field + ": ").contains(text);
  }
}
