package dev.llmauth.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProviderDataTest {
  private static final String TOKEN = "tok-\"quoted\"\\";
  private static final String BASE = "https://r.openai.azure.com/openai/v1";

  private static JsonObject merged(String existing) throws StrictJson.Malformed {
    return StrictJson.parse(ProviderData.merge(existing, TOKEN, BASE), false).getAsJsonObject();
  }

  @Test
  void absentValueGivesANewObject() throws Exception {
    assertThat(JsonParser.parseString(ProviderData.merge(null, TOKEN, BASE)).getAsJsonObject().keySet())
        .containsExactly(ProviderData.API_KEY, ProviderData.API_BASE);
  }

  @Test
  void otherKeysAreKeptAndTheTokenReplaced() throws Exception {
    JsonObject o = merged("{\"x\": {\"y\": [1, 2.5]}, \"azure_api_key\": \"old\", \"n\": null}");
    assertThat(o.get("x")).isEqualTo(JsonParser.parseString("{\"y\": [1, 2.5]}"));
    assertThat(o.get("n").isJsonNull()).isTrue();
    assertThat(o.get(ProviderData.API_KEY).getAsString()).isEqualTo(TOKEN);
    assertThat(o.get(ProviderData.API_BASE).getAsString()).isEqualTo(BASE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "[1]", "\"s\"", "42", "null", "{a: 1}", "{'a': 1}", "{\"a\": 1,}",
      "{\"a\": 1} // c", "{\"a\": 1, \"a\": 2}", "{\"a\": 1} {\"b\": 2}", "{\"a\": 1", "{\"a\": NaN}"})
  void aValueThatIsNotAStrictJsonObjectIsReplaced(String existing) throws Exception {
    assertThat(merged(existing).keySet()).containsExactly(ProviderData.API_KEY, ProviderData.API_BASE);
  }

  @Test
  void deeplyNestedGarbageIsReplacedWithoutACrash() throws Exception {
    assertThat(merged("{\"a\":" + "[".repeat(200_000)).keySet())
        .containsExactly(ProviderData.API_KEY, ProviderData.API_BASE);
  }

  @Property(tries = 1000)
  void anyValueGivesAStrictObjectWithTokenAndBase(@ForAll String existing, @ForAll String token,
      @ForAll String base) throws Exception {
    JsonObject o = StrictJson.parse(ProviderData.merge(existing, token, base), false).getAsJsonObject();
    assertThat(o.get(ProviderData.API_KEY).getAsString()).isEqualTo(token);
    assertThat(o.get(ProviderData.API_BASE).getAsString()).isEqualTo(base);
  }

  @Property(tries = 1000)
  void anObjectKeepsItsOtherKeys(@ForAll("objects") JsonObject existing) throws Exception {
    JsonObject o = merged(existing.toString());
    Set<String> others = new java.util.HashSet<>(existing.keySet());
    others.remove(ProviderData.API_KEY);
    others.remove(ProviderData.API_BASE);
    assertThat(o.keySet()).containsAll(others).contains(ProviderData.API_KEY, ProviderData.API_BASE)
        .hasSize(others.size() + 2);
    for (String key : others) {
      assertThat(o.get(key)).as(key).isEqualTo(existing.get(key));
    }
    assertThat(o.get(ProviderData.API_KEY).getAsString()).isEqualTo(TOKEN);
  }

  @Property(tries = 500)
  void aJsonValueThatIsNotAnObjectIsReplaced(@ForAll("nonObjects") JsonElement existing) throws Exception {
    assertThat(merged(existing.toString()).keySet()).containsExactly(ProviderData.API_KEY, ProviderData.API_BASE);
  }

  @Provide
  Arbitrary<JsonObject> objects() {
    return JsonArbitraries.objects();
  }

  @Provide
  Arbitrary<JsonElement> nonObjects() {
    return JsonArbitraries.values().filter(e -> !e.isJsonObject());
  }
}
