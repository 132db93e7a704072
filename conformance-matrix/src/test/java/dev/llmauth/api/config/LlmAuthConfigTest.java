package dev.llmauth.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.Secret;
import dev.llmauth.codex.CodexOAuthSettings;
import dev.llmauth.entra.EntraSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LlmAuthConfigTest {
  private static final String ORIGIN = "file /x/llm-auth.jsonc";
  private static final String SECRET = "sk-proj-THIS-MUST-NEVER-SHOW-1234567890";
  private static final Map<String, String> ENV = Map.of("AZ_KEY", "key-from-env", "HOST", "example.com",
      "PORT", "8443", "EMPTY", "");

  static LlmAuthConfig parse(String jsonc) {
    return LlmAuthConfig.parse(jsonc, ORIGIN, ENV);
  }

  static ProviderConfig provider(String body) {
    return parse("{\"providers\": {\"p\": " + body + "}}").provider("p");
  }

  static AbstractThrowableAssert<?, ? extends Throwable> rejects(String jsonc) {
    return assertThatThrownBy(() -> parse(jsonc)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(ORIGIN + ": ");
  }

  /** Asserts the error names provider p, the field path and a fix, and returns it for further checks. */
  static AbstractThrowableAssert<?, ? extends Throwable> rejectsProvider(String body, String field, String fix) {
    return rejects("{\"providers\": {\"p\": " + body + "}}")
        .hasMessageContaining("provider 'p'")
        .hasMessageContaining(field)
        .hasMessageContaining(fix)
        .satisfies(e -> {
          assertThat(((ConfigException) e).provider()).isEqualTo("p");
          assertThat(((ConfigException) e).field()).isEqualTo(field);
          assertThat(((ConfigException) e).code()).isEqualTo("config_invalid");
        });
  }

  /**
   * Asserts provider p is unresolved: the file parses, and using p throws the error that names p, the field path
   * and a fix; returns it for further checks.
   */
  static AbstractThrowableAssert<?, ? extends Throwable> unresolvedProvider(String body, String field, String fix) {
    LlmAuthConfig config = parse("{\"providers\": {\"p\": " + body + "}}");
    assertThat(config.providers()).doesNotContainKey("p");
    assertThat(config.unresolved()).containsOnlyKeys("p");
    return assertThatThrownBy(() -> config.provider("p")).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(ORIGIN + ": ")
        .hasMessageContaining("provider 'p'")
        .hasMessageContaining(field)
        .hasMessageContaining(fix)
        .satisfies(e -> {
          assertThat(((ConfigException) e).provider()).isEqualTo("p");
          assertThat(((ConfigException) e).field()).isEqualTo(field);
          assertThat(((ConfigException) e).code()).isEqualTo("config_invalid");
        });
  }

  @Nested
  @DisplayName("JSONC syntax")
  class Syntax {
    @Test
    void commentsAndTrailingCommasAreAccepted() {
      LlmAuthConfig config = parse("""
          // line comment
          {
            /* block
               comment */
            "providers": {
              "openai": {
                "apiKey": "sk-1", // trailing comment
                "headers": { "X-A": "1", },
              },
            },
          }
          """);
      assertThat(ApiKeys.apiKey(config.provider("openai"))).isEqualTo(Secret.of("sk-1"));
      assertThat(config.provider("openai").headers()).isEqualTo(Map.of("X-A", "1"));
      assertThat(config.origin()).isEqualTo(ORIGIN);
    }

    @Test
    void commentMarkersInsideStringsAreKept() {
      ProviderConfig p = provider("{\"baseUrl\": \"https://h/a//b\", \"headers\": {\"X-C\": \"/* x */ , }\"}}");
      assertThat(p.baseUrl()).isEqualTo("https://h/a//b");
      assertThat(p.headers()).containsEntry("X-C", "/* x */ , }");
    }

    @Test
    void escapedQuotesDoNotEndAString() {
      assertThat(provider("{\"headers\": {\"X-Q\": \"a\\\" // b\"}}").headers()).containsEntry("X-Q", "a\" // b");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'providers': {}}",
        "{providers: {}}",
        "{\"providers\": {\"p\": {\"type\": openai}}}",
        "{\"providers\": {}} x",
        "{\"providers\": {}} {}",
        "{\"providers\": {\"p\": {\"headers\": {\"a\": \"1\",, }}}}",
        "{\"providers\": {\"p\": [,]}}",
        "{\"providers\": {,}}",
        "{\"providers\": {\"p\": {\"x\": NaN}}}",
        "{\"providers\": {\"p\": {\"x\": 01}}}",
        "{\"providers\": {\"p\": {\"x\": \"tab\there\"}}}",
        "{\"providers\": {}",
        "",
        "   // only a comment",
    })
    void strictJsonOtherwise(String text) {
      rejects(text).hasMessageContaining("Fix the syntax").hasMessageContaining("line");
    }

    @Test
    void duplicateKeysAreAnErrorNamingTheKeyAndPosition() {
      rejects("{\"providers\": {\"p\": {\n  \"apiKey\": \"a\",\n  \"apiKey\": \"b\"}}}")
          .hasMessageContaining("duplicate key \"apiKey\"")
          .hasMessageContaining("line 3");
    }

    @Test
    void unterminatedCommentGivesItsPosition() {
      rejects("{\n  /* open\n\"providers\": {}}").hasMessageContaining("unterminated /* comment at line 2 column 3");
    }

    @Test
    void errorsGiveLineAndColumn() {
      rejects("{\n  \"providers\": {\n    \"p\": {'apiKey': 1}}}").hasMessageContaining("line 3 column");
    }

    @Test
    void deepNestingIsAnErrorNotACrash() {
      String deep = "[".repeat(100_000);
      rejects("{\"providers\": {\"p\": {\"x\": " + deep + "}}}").hasMessageContaining("Nesting limit");
    }
  }

  @Nested
  @DisplayName("JSON shape")
  class Shape {
    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"x\"", "42", "null", "true"})
    void rootMustBeAnObject(String root) {
      rejects(root).hasMessageContaining("the top level is").hasMessageContaining("write {\"providers\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"providers\": []}", "{\"providers\": \"x\"}", "{\"providers\": 42}",
        "{\"providers\": null}"})
    void providersMustBeAnObject(String root) {
      rejects(root).hasMessageContaining("\"providers\" is").hasMessageContaining("write {\"providers\"")
          .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo("providers"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"x\"", "42", "null"})
    void eachProviderMustBeAnObject(String body) {
      rejectsProvider(body, "providers.p", "write an object").hasMessageContaining("expected an object");
    }

    @Test
    void emptyProvidersIsValid() {
      assertThat(parse("{\"providers\": {}}").providers()).isEmpty();
    }

    @Test
    void wrongTypesNameTheField() {
      rejectsProvider("{\"headers\": 3}", "providers.p.headers", "write an object").hasMessageContaining("a number");
      rejectsProvider("{\"managedIdentity\": \"x\"}", "providers.p.managedIdentity", "write an object");
      rejectsProvider("{\"entra\": []}", "providers.p.entra", "write an object").hasMessageContaining("an array");
      rejectsProvider("{\"codexOAuth\": true}", "providers.p.codexOAuth", "write an object");
      rejectsProvider("{\"baseUrl\": 42}", "providers.p.baseUrl", "double quotes");
      rejectsProvider("{\"type\": {}}", "providers.p.type", "double quotes");
      rejectsProvider("{\"headers\": {\"X-A\": 1}}", "providers.p.headers.X-A", "double quotes");
      rejectsProvider("{\"managedIdentity\": {\"clientId\": 7}}", "providers.p.managedIdentity.clientId",
          "double quotes");
      rejectsProvider("{\"allowInsecureHttp\": \"true\"}", "providers.p.allowInsecureHttp",
          "write true or false without quotes");
    }

    @Test
    void wrongTypeForASecretNeverShowsTheValue() {
      rejectsProvider("{\"apiKey\": [\"" + SECRET + "\"]}", "providers.p.apiKey", "double quotes")
          .message().doesNotContain(SECRET);
    }

    @Test
    void unknownFieldsInsideLibraryObjectsAreErrors() {
      rejectsProvider("{\"baseUrl\": \"https://h\", \"managedIdentity\": {\"clientID\": \"x\"}}",
          "providers.p.managedIdentity.clientID", "use clientId, objectId, resourceId, scope");
      rejectsProvider("{\"codexOAuth\": {\"file\": \"x\"}}", "providers.p.codexOAuth.file",
          "use authFile, issuer, originator");
    }

    @Test
    void nullFieldsAreUnset() {
      ProviderConfig p = provider("{\"apiKey\": null, \"baseUrl\": null, \"headers\": {\"X-A\": null}}");
      assertThat(ApiKeys.apiKey(p)).isNull();
      assertThat(p.baseUrl()).isNull();
      assertThat(p.headers()).isEmpty();
      assertThat(p.origins()).isEmpty();
    }
  }

  @Nested
  @DisplayName("Fields")
  class Fields {
    @Test
    void everyFieldIsRead() {
      ProviderConfig p = provider("""
          {
            "type": "azure-openai",
            "baseUrl": "https://r.openai.azure.com/openai/v1",
            "authMode": "entra",
            "managedIdentity": {"clientId": "c", "scope": "api://x/.default"},
            "codexOAuth": {"authFile": "/tmp/auth.json", "issuer": "http://127.0.0.1:1/", "originator": "me"},
            "providerDataHeader": "X-LlamaStack-Provider-Data",
            "providerDataApiBase": "https://backend.openai.azure.com/openai/v1",
            "headers": {"X-Extra": "v"},
            "allowInsecureHttp": true
          }""");
      assertThat(p.name()).isEqualTo("p");
      assertThat(p.type()).isEqualTo(ProviderType.AZURE_OPENAI);
      assertThat(p.baseUrl()).isEqualTo("https://r.openai.azure.com/openai/v1");
      assertThat(p.authMode()).isEqualTo("entra");
      assertThat(p.methodConfigs().get("entra")).isEqualTo(new EntraSettings(true, "clientId", "c", "api://x/.default"));
      assertThat(p.methodConfigs().get("codex-oauth")).isEqualTo(new CodexOAuthSettings("/tmp/auth.json", "http://127.0.0.1:1/", "me"));
      assertThat(p.providerDataHeader()).isEqualTo("X-LlamaStack-Provider-Data");
      assertThat(p.providerDataApiBase()).isEqualTo("https://backend.openai.azure.com/openai/v1");
      assertThat(p.headers()).isEqualTo(Map.of("X-Extra", "v"));
      assertThat(p.allowInsecureHttp()).isTrue();
      assertThat(p.unclaimedFields()).isEmpty();
    }

    @Test
    void defaults() {
      ProviderConfig p = provider("{}");
      assertThat(p.type()).isEqualTo(ProviderType.OPENAI);
      assertThat(p.effectiveBaseUrl()).isEqualTo("https://api.openai.com/v1");
      assertThat(p.allowInsecureHttp()).isFalse();
      assertThat(p.originOf("apiKey")).isEqualTo("default");
      assertThat(provider("{\"type\": \"codex\"}").effectiveBaseUrl())
          .isEqualTo("https://chatgpt.com/backend-api/codex");
    }

    @Test
    void theAnthropicAndGeminiTypesHaveTheirDefaultsAndKeepAConfiguredBaseUrl() {
      ProviderConfig anthropic = provider("{\"type\": \"anthropic\", \"apiKey\": \"sk-ant-1\"}");
      assertThat(anthropic.type()).isEqualTo(ProviderType.ANTHROPIC);
      assertThat(anthropic.effectiveBaseUrl()).isEqualTo("https://api.anthropic.com/v1");
      assertThat(anthropic.type().keyHeader()).isEqualTo("x-api-key");
      assertThat(anthropic.type().defaultHeaders()).containsExactly(Map.entry("anthropic-version", "2023-06-01"));
      ProviderConfig gemini = provider("{\"type\": \"gemini\", \"apiKey\": \"AIza-1\"}");
      assertThat(gemini.type()).isEqualTo(ProviderType.GEMINI);
      assertThat(gemini.effectiveBaseUrl()).isEqualTo("https://generativelanguage.googleapis.com/v1beta");
      assertThat(gemini.type().keyHeader()).isEqualTo("x-goog-api-key");
      assertThat(gemini.type().defaultHeaders()).isEmpty();
      assertThat(provider("{\"type\": \"anthropic\", \"baseUrl\": \"https://gw.example.test/anthropic/v1\"}")
          .effectiveBaseUrl()).isEqualTo("https://gw.example.test/anthropic/v1");
      assertThat(ProviderType.fromId("anthropic")).contains(ProviderType.ANTHROPIC);
      assertThat(ProviderType.fromId("gemini")).contains(ProviderType.GEMINI);
      assertThat(ProviderType.fromId("Anthropic")).isEmpty();
    }

    @Test
    void emptyObjectsMeanDefaults() {
      ProviderConfig p = provider("{\"baseUrl\": \"https://h\", \"managedIdentity\": {}, \"entra\": {}, "
          + "\"codexOAuth\": {}}");
      assertThat(p.methodConfigs().get("entra")).isEqualTo(new EntraSettings(true, null, null,
          EntraSettings.DEFAULT_SCOPE));
      assertThat(provider("{\"baseUrl\": \"https://h\", \"entra\": {}}").methodConfigs().get("entra"))
          .isEqualTo(new EntraSettings(false, null, null, EntraSettings.DEFAULT_SCOPE));
      assertThat(p.methodConfigs().get("codex-oauth")).isEqualTo(CodexOAuthSettings.defaults());
    }

    @Test
    void emptyStringsCountAsUnset() {
      ProviderConfig p = provider("{\"baseUrl\": \"\", \"authMode\": \"\", \"apiKey\": \"\", \"bearerToken\": \"\","
          + "\"providerDataHeader\": \"\", \"headers\": {\"X-A\": \"\"}, \"type\": \"\", \"x-ext\": \"\"}");
      assertThat(p.baseUrl()).isNull();
      assertThat(p.authMode()).isNull();
      assertThat(ApiKeys.apiKey(p)).isNull();
      assertThat(ApiKeys.bearerToken(p)).isNull();
      assertThat(p.providerDataHeader()).isNull();
      assertThat(p.headers()).isEmpty();
      assertThat(p.type()).isEqualTo(ProviderType.OPENAI);
      assertThat(p.unclaimedFields()).isEmpty();
      assertThat(p.origins()).isEmpty();
    }

    @Test
    void emptySelectorsAndScopesCountAsUnset() {
      ProviderConfig p = provider("{\"baseUrl\": \"https://h\", \"managedIdentity\": {\"clientId\": \"\", "
          + "\"objectId\": \"o\", \"scope\": \"\"}, \"entra\": {\"scope\": \"\"}}");
      assertThat(p.methodConfigs().get("entra")).isEqualTo(new EntraSettings(true, "objectId", "o",
          EntraSettings.DEFAULT_SCOPE));
      assertThat(provider("{\"baseUrl\": \"https://h\", \"entra\": {\"scope\": \"\"}}").methodConfigs()
          .get("entra")).isEqualTo(new EntraSettings(false, null, null, EntraSettings.DEFAULT_SCOPE));
    }

    @Test
    void unknownFieldsBecomePlainJavaExtensions() {
      ProviderConfig p = provider("{\"deployment\": \"gpt\", \"n\": 3, \"on\": true, \"list\": [1, \"a\", null],"
          + " \"obj\": {\"k\": {\"z\": false}, \"gone\": null}, \"nothing\": null, \"fromEnv\": \"${env:HOST}\"}");
      assertThat(p.unclaimedFields()).containsExactly("deployment", "n", "on", "list", "obj", "fromEnv");
      assertThat(p.settings().get("deployment").text()).isEqualTo("gpt");
      assertThat(p.settings().get("n").number()).isEqualByComparingTo("3");
      assertThat(p.settings().get("on").bool()).isTrue();
      assertThat(p.settings().get("list").plain()).isEqualTo(List.of(new java.math.BigDecimal("1"), "a"));
      assertThat(p.settings().get("obj").plain()).isEqualTo(Map.of("k", Map.of("z", false)));
      assertThat(p.settings().get("fromEnv").text()).isEqualTo("example.com");
      assertThat(p.originOf("deployment")).isEqualTo(ORIGIN);
      assertThat(p.originOf("fromEnv")).isEqualTo("env HOST via " + ORIGIN);
    }

    @Test
    void hugeNumbersInExtensionsAreErrors() {
      rejectsProvider("{\"n\": 1e999}", "providers.p.n", "range");
      rejects("{\"providers\": {\"p\": {\"n\": 1e99999999999}}}").hasMessageContaining("number out of range");
    }

    @Test
    void unknownTopLevelKeysAreIgnored() {
      assertThat(parse("{\"version\": 2, \"providers\": {\"p\": {}}}").providers()).containsOnlyKeys("p");
    }

    @Test
    void providersKeepFileOrder() {
      assertThat(parse("{\"providers\": {\"b\": {}, \"a\": {}, \"c\": {}}}").providers().keySet())
          .containsExactly("b", "a", "c");
    }
  }

  @Nested
  @DisplayName("${env:NAME}")
  class EnvReferences {
    @Test
    void replacedInAnyStringValueSeveralPerString() {
      ProviderConfig p = provider("{\"baseUrl\": \"https://${env:HOST}:${env:PORT}/v1\", \"apiKey\": "
          + "\"${env:AZ_KEY}\", \"headers\": {\"X-H\": \"${env:HOST}-${env:HOST}\"}, \"managedIdentity\": null}");
      assertThat(p.baseUrl()).isEqualTo("https://example.com:8443/v1");
      assertThat(ApiKeys.apiKey(p)).isEqualTo(Secret.of("key-from-env"));
      assertThat(p.headers()).containsEntry("X-H", "example.com-example.com");
    }

    @Test
    void originsSayWhereEachSetFieldCameFrom() {
      ProviderConfig p = provider("{\"baseUrl\": \"https://${env:HOST}:${env:PORT}\", \"apiKey\": \"${env:AZ_KEY}\","
          + "\"type\": \"openai\"}");
      assertThat(p.origins()).containsOnly(
          Map.entry("baseUrl", "env HOST, PORT via " + ORIGIN),
          Map.entry("apiKey", "env AZ_KEY via " + ORIGIN),
          Map.entry("type", ORIGIN));
      assertThat(p.originOf("bearerToken")).isEqualTo("default");
    }

    @Test
    void aMissingVariableNamesItAndTheField() {
      unresolvedProvider("{\"apiKey\": \"${env:NOPE_KEY}\"}", "providers.p.apiKey", "set NOPE_KEY")
          .hasMessageContaining("environment variable NOPE_KEY is not set");
      unresolvedProvider("{\"baseUrl\": \"https://h\", \"managedIdentity\": {\"clientId\": \"${env:NOPE}\"}}",
          "providers.p.managedIdentity.clientId", "set NOPE");
    }

    @Test
    void anEmptyVariableCountsAsMissing() {
      unresolvedProvider("{\"apiKey\": \"${env:EMPTY}\"}", "providers.p.apiKey", "set EMPTY");
    }

    @Test
    void aMissingVariableFailsOnlyItsProviderAndUsingItGivesTheMessageLoadingGaveBefore() {
      LlmAuthConfig config = parse("{\"providers\": {\"used\": {\"apiKey\": \"${env:AZ_KEY}\"}, "
          + "\"p\": {\"type\": \"azure-openai\", \"apiKey\": \"${env:NOPE_KEY}\", \"baseUrl\": \"https://h\"}, "
          + "\"later\": {\"baseUrl\": \"https://${env:HOST}/v1\", \"apiKey\": \"k\"}}}");
      assertThat(config.providers()).containsOnlyKeys("used", "later");
      assertThat(config.provider("used").originOf("apiKey")).isEqualTo("env AZ_KEY via " + ORIGIN);
      assertThat(config.provider("later").effectiveBaseUrl()).isEqualTo("https://example.com/v1");
      String message = ORIGIN + ": provider 'p', providers.p.apiKey: refers to ${env:NOPE_KEY}, but the environment "
          + "variable NOPE_KEY is not set or empty; set NOPE_KEY, or write the value in the file";
      assertThat(config.unresolved()).containsOnlyKeys("p");
      assertThat(config.unresolved().get("p")).hasMessage(message);
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> config.provider("p")).isInstanceOf(ConfigException.class).hasMessage(message);
      }
      assertThatThrownBy(() -> config.provider("nope")).isInstanceOf(ConfigException.class)
          .hasMessageContaining("known providers: used, later, p");
    }

    @Test
    void anErrorOtherThanAMissingVariableStillFailsTheWholeFile() {
      rejects("{\"providers\": {\"ok\": {\"apiKey\": \"${env:NOPE_KEY}\"}, \"p\": {\"type\": \"azure\"}}}")
          .hasMessageContaining("providers.p.type");
      rejects("{\"providers\": {\"p\": {\"apiKey\": \"${env:}\"}}}").hasMessageContaining("write ${env:NAME}");
    }

    @Test
    void malformedReferencesAreErrors() {
      rejectsProvider("{\"apiKey\": \"${env:}\"}", "providers.p.apiKey", "write ${env:NAME}");
      rejectsProvider("{\"apiKey\": \"x${env:OPEN\"}", "providers.p.apiKey", "write ${env:NAME}");
    }

    @Test
    void substitutedValuesAreNotExpandedAgain() {
      LlmAuthConfig config = LlmAuthConfig.parse("{\"providers\": {\"p\": {\"headers\": {\"X\": \"${env:A}\"}}}}",
          ORIGIN, Map.of("A", "${env:B}"));
      assertThat(config.provider("p").headers()).containsEntry("X", "${env:B}");
    }

    @Test
    void theValueOfAVariableNeverShowsInAnError() {
      assertThatThrownBy(() -> LlmAuthConfig.parse("{\"providers\": {\"p\": {\"apiKey\": \"${env:K}\", "
          + "\"managedIdentity\": {}, \"baseUrl\": \"https://h\"}}}", ORIGIN, Map.of("K", SECRET)))
          .isInstanceOf(ConfigException.class)
          .message().contains("managedIdentity").doesNotContain(SECRET);
    }
  }

  @Nested
  @DisplayName("Validation rules")
  class Rules {
    @Test
    void managedIdentityWithApiKeyNamesBothFields() {
      rejectsProvider("{\"baseUrl\": \"https://h\", \"managedIdentity\": {}, \"apiKey\": \"" + SECRET + "\"}",
          "providers.p.managedIdentity", "remove apiKey").hasMessageContaining("providers.p.apiKey")
          .message().doesNotContain(SECRET);
    }

    @Test
    void managedIdentityWithBearerTokenNamesBothFields() {
      rejectsProvider("{\"baseUrl\": \"https://h\", \"managedIdentity\": {}, \"bearerToken\": \"" + SECRET + "\"}",
          "providers.p.managedIdentity", "remove bearerToken").hasMessageContaining("providers.p.bearerToken")
          .message().doesNotContain(SECRET);
    }

    @Test
    void atMostOneIdentitySelector() {
      rejectsProvider("{\"baseUrl\": \"https://h\", \"managedIdentity\": {\"clientId\": \"c\", \"resourceId\": \"r\"}}",
          "providers.p.managedIdentity", "keep one of them").hasMessageContaining("clientId and resourceId");
      rejectsProvider("{\"baseUrl\": \"https://h\", \"managedIdentity\": {\"clientId\": \"c\", \"objectId\": \"o\", "
          + "\"resourceId\": \"r\"}}", "providers.p.managedIdentity", "none for the system-assigned identity")
          .hasMessageContaining("clientId and objectId and resourceId");
    }

    @Test
    void unknownAuthModeListsTheAllowedValues() {
      rejectsProvider("{\"authMode\": \"oauth\"}", "providers.p.authMode", "use one of apiKey, command, codex-oauth, entra")
          .hasMessageContaining("unknown authMode 'oauth'");
    }

    @Test
    void valuesFromTheEnvironmentAreNeverQuoted() {
      rejectsProvider("{\"authMode\": \"${env:AZ_KEY}\"}", "providers.p.authMode", "use one of apiKey")
          .hasMessageContaining("the value from env AZ_KEY via " + ORIGIN).message().doesNotContain("key-from-env");
      rejectsProvider("{\"type\": \"${env:AZ_KEY}\"}", "providers.p.type", "use one of openai")
          .hasMessageContaining("the value from env AZ_KEY via " + ORIGIN).message().doesNotContain("key-from-env");
    }

    @Test
    void syntaxErrorsNeverNameTheKeysReadSoFar() {
      rejects("{\"providers\": {\"p\": {\"apiKey\" {\"" + SECRET + "\" 1}}}}").message().doesNotContain(SECRET);
      rejects("{\"providers\": {\"p\": {\"apiKey\": {\"" + SECRET + "\" 1}}}}").message().doesNotContain(SECRET);
    }

    @Test
    void unknownTypeListsTheAllowedValues() {
      rejectsProvider("{\"type\": \"azure\"}", "providers.p.type",
          "use one of openai, azure-openai, codex, anthropic, gemini")
          .hasMessageContaining("unknown type 'azure'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"authMode\": \"entra\"}", "{\"managedIdentity\": {}}", "{\"entra\": {}}",
        "{\"type\": \"azure-openai\", \"apiKey\": \"k\"}"})
    void entraAndAzureNeedABaseUrl(String body) {
      rejectsProvider(body, "providers.p.baseUrl", "set baseUrl to the endpoint").hasMessageContaining("needs a baseUrl");
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com/v1", "/v1", "ftp://h/x", "https://", "https:///path", "not a url",
        "file:///etc/passwd"})
    void baseUrlMustBeAnAbsoluteHttpUrl(String url) {
      rejectsProvider("{\"baseUrl\": \"" + url + "\"}", "providers.p.baseUrl", "write the full URL")
          .hasMessageContaining("not an absolute http(s) URL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://h", "http://127.0.0.1:8080/v1", "HTTPS://H.example/openai/v1?x=1",
        "http://[::1]:1/"})
    void httpUrlsAreAccepted(String url) {
      assertThat(provider("{\"baseUrl\": \"" + url + "\"}").baseUrl()).isEqualTo(url);
    }

    @Test
    void issuerMustBeAnAbsoluteHttpUrl() {
      rejectsProvider("{\"codexOAuth\": {\"issuer\": \"auth.openai.com\"}}", "providers.p.codexOAuth.issuer",
          "https://auth.openai.com");
    }

    @Test
    void headerNamesMustBeTokens() {
      rejectsProvider("{\"headers\": {\"Bad Header\": \"v\"}}", "providers.p.headers", "letters, digits and '-'");
      rejectsProvider("{\"providerDataHeader\": \"X:Y\"}", "providers.p.providerDataHeader",
          "X-LlamaStack-Provider-Data");
    }

    @Test
    void headerValuesMustBeOneLineAndAreNeverShown() {
      rejectsProvider("{\"headers\": {\"Authorization\": \"Bearer " + SECRET + "\\r\\nX: y\"}}",
          "providers.p.headers.Authorization", "one line").message().doesNotContain(SECRET);
    }

    @Test
    void emptyProviderNameIsAnError() {
      rejects("{\"providers\": {\"\": {}}}").hasMessageContaining("empty name");
    }
  }

  @Nested
  @DisplayName("Builder")
  class Builder {
    @Test
    void appliesTheSameRules() {
      assertThatThrownBy(() -> ProviderConfig.builder("az").set("apiKey", SECRET).baseUrl("https://h")
          .set("managedIdentity", Map.of()).build())
          .isInstanceOf(ConfigException.class)
          .hasMessage("provider 'az', providers.az.managedIdentity: managedIdentity cannot be combined with apiKey "
              + "(providers.az.apiKey); remove apiKey to authenticate with Entra ID, or remove managedIdentity to "
              + "send the apiKey");
      assertThatThrownBy(() -> ProviderConfig.builder("az").type(ProviderType.AZURE_OPENAI).build())
          .isInstanceOf(ConfigException.class).hasMessageContaining("providers.az.baseUrl");
      assertThatThrownBy(() -> ProviderConfig.builder("az").authMode("magic").build())
          .isInstanceOf(ConfigException.class).hasMessageContaining("use one of apiKey, command, codex-oauth, entra");
      assertThatThrownBy(() -> ProviderConfig.builder("az").baseUrl("https://h")
          .set("managedIdentity", Map.of("clientId", "c", "objectId", "o", "scope", "")).build())
          .isInstanceOf(ConfigException.class).hasMessageContaining("clientId and objectId");
    }

    @Test
    void emptyStringsCountAsUnsetAndOriginsSayCode() {
      ProviderConfig p = ProviderConfig.builder("b").baseUrl("").authMode("").providerDataHeader("")
          .headers(Map.of("X-A", "", "X-B", "b")).set("apiKey", "k").set("deployment", "d")
          .build();
      assertThat(p.headers()).isEqualTo(Map.of("X-B", "b"));
      assertThat(p.baseUrl()).isNull();
      assertThat(p.authMode()).isNull();
      assertThat(p.providerDataHeader()).isNull();
      assertThat(p.origins()).containsOnly(Map.entry("apiKey", "code"), Map.entry("headers", "code"),
          Map.entry("deployment", "code"));
      assertThat(ProviderConfig.builder("b").baseUrl("https://h").set("managedIdentity", Map.of("clientId", "",
          "objectId", "", "resourceId", "", "scope", "")).build().methodConfigs().get("entra"))
          .isEqualTo(new EntraSettings(true, null, null, EntraSettings.DEFAULT_SCOPE));
    }

    @Test
    void ofRejectsDuplicateNames() {
      ProviderConfig a = ProviderConfig.builder("a").build();
      assertThatThrownBy(() -> LlmAuthConfig.of(a, a)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("defined twice");
    }

    @Test
    void toStringNeverShowsSecretsOrHeaderValues() {
      ProviderConfig p = ProviderConfig.builder("b").set("apiKey", SECRET)
          .headers(Map.of("X-Auth", SECRET + "h")).build();
      assertThat(p.toString()).doesNotContain(SECRET).contains("X-Auth");
    }
  }

  @Nested
  @DisplayName("load(Path)")
  class Load {
    @TempDir
    Path dir;

    @Test
    void readsAFileAndRecordsItsPath() throws Exception {
      Path file = Files.writeString(dir.resolve("llm-auth.jsonc"), "{\"providers\": {\"p\": {\"apiKey\": "
          + "\"${env:AZ_KEY}\", \"baseUrl\": \"https://h\"}}}");
      LlmAuthConfig config = LlmAuthConfig.load(file, ENV);
      String origin = "file " + file.toAbsolutePath();
      assertThat(config.origin()).isEqualTo(origin);
      assertThat(config.provider("p").originOf("apiKey")).isEqualTo("env AZ_KEY via " + origin);
      assertThat(config.provider("p").originOf("baseUrl")).isEqualTo(origin);
    }

    @Test
    void aMissingFileSaysSo() {
      assertThatThrownBy(() -> LlmAuthConfig.load(dir.resolve("nope.jsonc"), ENV))
          .isInstanceOf(ConfigException.class).hasMessageContaining("nope.jsonc does not exist");
    }

    @Test
    void aFileThatIsNotUtf8SaysSo() throws Exception {
      Path file = Files.write(dir.resolve("bad.jsonc"), new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
      assertThatThrownBy(() -> LlmAuthConfig.load(file, ENV)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("as UTF-8 text");
    }

    @Test
    void errorsNameTheFile() throws Exception {
      Path file = Files.write(dir.resolve("c.jsonc"), "[]".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> LlmAuthConfig.load(file, ENV)).isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("file " + file.toAbsolutePath() + ": the top level is an array");
    }
  }

  @Nested
  @DisplayName("provider(name)")
  class Lookup {
    @Test
    void unknownProviderListsTheKnownOnes() {
      assertThatThrownBy(() -> parse("{\"providers\": {\"a\": {}, \"b\": {}}}").provider("c"))
          .isInstanceOf(ConfigException.class).hasMessageContaining("known providers: a, b");
    }
  }
}
