package dev.llmauth.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.config.LlmAuthConfig;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.constraints.StringLength;
import org.jspecify.annotations.Nullable;

/** Whatever the input, parsing yields a valid configuration or a {@link ConfigException}, never a crash or leak. */
class ConfigParserPropertyTest {
  private static final String SECRET = "sk-SECRET-4f1c2e9a7b";
  private static final String ENV_SECRET = "env-SECRET-0d3b8c61";
  private static final Map<String, String> ENV = Map.of("K", ENV_SECRET, "HOST", "h.example");

  private static final List<String> VALID = List.of(
      """
      // comment
      {
        "providers": {
          "openai": { "apiKey": "%s", "headers": { "X-Extra": "v", }, },
          "azure": {
            "type": "azure-openai", /* block */
            "baseUrl": "https://${env:HOST}/openai/v1",
            "managedIdentity": { "clientId": "c", "scope": "https://cognitiveservices.azure.com/.default" },
          },
          "proxy": { "bearerToken": "${env:K}", "providerDataHeader": "X-LlamaStack-Provider-Data",
                     "baseUrl": "http://127.0.0.1:8321/v1", "allowInsecureHttp": true },
          "codex": { "type": "codex", "codexOAuth": { "issuer": "http://127.0.0.1:1", "originator": "o" } },
          "other": { "authMode": "entra", "entra": {}, "baseUrl": "https://h", "deployment": [1, {"a": null}] }
        }
      }
      """.formatted(SECRET),
      "{\"providers\": {\"p\": {\"apiKey\": \"" + SECRET + "\", \"authMode\": \"apiKey\"}}}");

  /** Random trees are full of unknown top-level fields; their warnings are tested elsewhere. */
  private static final java.util.logging.Logger INTERNAL = java.util.logging.Logger.getLogger(
      "dev.llmauth.api.internal");

  @BeforeContainer
  static void quiet() {
    INTERNAL.setLevel(java.util.logging.Level.SEVERE);
  }

  @AfterContainer
  static void restore() {
    INTERNAL.setLevel(null);
  }

  /** The values of the fields {@code ProviderConfig.toString()} shows: everything but the secret ones. */
  private static String shownFields(dev.llmauth.api.config.ProviderConfig p) {
    return String.join("\n", String.valueOf(p.baseUrl()), String.valueOf(p.authMode()),
        String.valueOf(p.settings().get("managedIdentity").plain()), String.valueOf(p.settings().get("entra").plain()),
        String.valueOf(p.settings().get("codexOAuth").plain()), String.valueOf(p.providerDataHeader()),
        p.headers().keySet().toString(), p.unclaimedFields().toString());
  }

  /** The outcome of parsing; any exception other than ConfigException fails the property. */
  private static @Nullable ConfigException parse(String text) {
    try {
      LlmAuthConfig config = LlmAuthConfig.parse(text, "test", ENV);
      assertThat(config.unresolved()).allSatisfy((name, error) -> assertThat(error.getMessage()).isNotBlank()
          .contains("provider '" + name + "'").doesNotContain(SECRET, ENV_SECRET));
      assertThat(config.providers()).allSatisfy((name, provider) -> {
        assertThat(provider.name()).isEqualTo(name);
        ConfigValidator.validate(provider, MethodDiscovery.load(null));
        assertThat(provider.toString()).doesNotContain(SECRET);
        // A value from the environment may sit in a field that is not secret (a header name, a base URL), which
        // toString() shows by design; it must never show one that went into apiKey or bearerToken.
        if (!shownFields(provider).contains(ENV_SECRET)) {
          assertThat(provider.toString()).doesNotContain(ENV_SECRET);
        }
      });
      return null;
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isNotBlank().doesNotContain(SECRET, ENV_SECRET);
      return e;
    }
  }

  @Property(tries = 500)
  void anyTextIsAConfigOrAConfigException(@ForAll @StringLength(max = 200) String text) {
    parse(text);
  }

  @Property(tries = 1000)
  void jsonLikeTextIsAConfigOrAConfigException(@ForAll("jsonLikeText") String text) {
    parse(text);
  }

  @Provide
  Arbitrary<String> jsonLikeText() {
    return Combinators.combine(
        Arbitraries.of("", "{", "{\"providers\":", "{\"providers\":{\"p\":"),
        Arbitraries.strings().withChars("{}[]\":,/*\n \\tfrueanl0123456789.-+Ep$").ofMaxLength(80))
        .as(String::concat);
  }

  @Property(tries = 1000)
  void randomJsonTreesInEveryPositionAreAConfigOrAConfigException(
      @ForAll("trees") JsonElement tree, @ForAll("fields") String field) {
    String value = tree.toString();
    parse(value);
    parse("{\"providers\": " + value + "}");
    parse("{\"providers\": {\"p\": " + value + "}}");
    parse("{\"providers\": {\"p\": {\"" + field + "\": " + value + ", \"apiKey\": \"" + SECRET + "\"}}}");
  }

  @Property(tries = 500)
  void randomProviderObjectsAreAConfigOrAConfigException(@ForAll("providerObjects") JsonObject provider) {
    JsonObject root = new JsonObject();
    JsonObject providers = new JsonObject();
    providers.add("p", provider);
    root.add("providers", providers);
    parse(root.toString());
  }

  @Provide
  Arbitrary<JsonElement> trees() {
    return JsonArbitraries.values();
  }

  @Provide
  Arbitrary<JsonObject> providerObjects() {
    return JsonArbitraries.objects();
  }

  @Provide
  Arbitrary<String> fields() {
    return JsonArbitraries.keys().filter(k -> !k.equals("apiKey"));
  }

  @Property(tries = 2000)
  void mutatedValidConfigsAreAConfigOrAConfigExceptionWithoutTheSecret(@ForAll("mutated") String text) {
    parse(text);
  }

  @Property(tries = 20)
  void theUnmutatedConfigsAreValid(@ForAll("valid") String text) {
    assertThat(parse(text)).isNull();
  }

  @Provide
  Arbitrary<String> valid() {
    return Arbitraries.of(VALID);
  }

  @Provide
  Arbitrary<String> mutated() {
    Arbitrary<Mutation> mutation = Combinators.combine(
        Arbitraries.integers().between(0, 3),
        Arbitraries.doubles().between(0, 1),
        Arbitraries.of('"', '{', '}', '[', ']', ',', ':', '/', '*', '\n', ' ', '\\', '$', 'x', '0'))
        .as(Mutation::new);
    return Combinators.combine(valid(), mutation.list().ofMinSize(1).ofMaxSize(4))
        .as((text, mutations) -> {
          String result = text;
          for (Mutation m : mutations) {
            result = m.apply(result);
          }
          return result;
        });
  }

  /** Deletes, inserts, replaces or duplicates at a relative position. */
  record Mutation(int kind, double where, char ch) {
    String apply(String s) {
      if (s.isEmpty()) {
        return String.valueOf(ch);
      }
      int i = (int) (where * (s.length() - 1));
      return switch (kind) {
        case 0 -> s.substring(0, i) + s.substring(i + 1);
        case 1 -> s.substring(0, i) + ch + s.substring(i);
        case 2 -> s.substring(0, i) + ch + s.substring(i + 1);
        default -> s.substring(0, i) + s.substring(i, Math.min(s.length(), i + 8)) + s.substring(i);
      };
    }
  }

  @Property(tries = 200)
  void deepNestingIsAConfigOrAConfigException(
      @ForAll @IntRange(min = 1, max = 3000) int depth, @ForAll boolean objects, @ForAll boolean closed) {
    String open = objects ? "{\"a\":" : "[";
    String close = objects ? "}" : "]";
    String value = open.repeat(depth) + "1" + (closed ? close.repeat(depth) : "");
    ConfigException e = parse("{\"providers\": {\"p\": {\"x\": " + value + "}}}");
    if (closed && depth < StrictJson.MAX_DEPTH - 4) {
      assertThat(e).isNull();
    } else if (!closed || depth > StrictJson.MAX_DEPTH) {
      assertThat(e).isNotNull();
    }
  }
}
