package dev.llmauth.api.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Random JSON trees biased towards the names and values of the configuration format. */
final class JsonArbitraries {
  private JsonArbitraries() {}

  static Arbitrary<String> keys() {
    return Arbitraries.oneOf(
        Arbitraries.of("providers", "type", "baseUrl", "authMode", "apiKey", "bearerToken", "managedIdentity",
            "entra", "codexOAuth", "providerDataHeader", "headers", "allowInsecureHttp", "clientId", "objectId",
            "resourceId", "scope", "authFile", "issuer", "originator", "X-Extra", "", "p"),
        Arbitraries.strings().ofMaxLength(6));
  }

  static Arbitrary<JsonElement> leaves() {
    return Arbitraries.oneOf(
        Arbitraries.of("openai", "azure-openai", "codex", "apiKey", "entra", "codex-oauth", "https://h.example",
            "http://127.0.0.1:1/v1", "", "${env:K}", "${env:MISSING}", "${env:", "a\r\nb", "Bad Header")
            .map(JsonPrimitive::new),
        Arbitraries.strings().ofMaxLength(8).map(JsonPrimitive::new),
        Arbitraries.bigDecimals().between(new BigDecimal("-1e9"), new BigDecimal("1e9")).ofScale(3)
            .map(JsonPrimitive::new),
        Arbitraries.of(new BigDecimal("1e400"), new BigDecimal("-0"), BigDecimal.ZERO).map(JsonPrimitive::new),
        Arbitraries.of(true, false).map(JsonPrimitive::new),
        Arbitraries.just(JsonNull.INSTANCE));
  }

  static Arbitrary<JsonElement> values() {
    return Arbitraries.recursive(JsonArbitraries::leaves, JsonArbitraries::containers, 0, 3);
  }

  static Arbitrary<JsonObject> objects() {
    return values().list().ofMaxSize(5).flatMap(list -> keys().list().ofSize(list.size()).map(names -> {
      JsonObject object = new JsonObject();
      for (int i = 0; i < names.size(); i++) {
        object.add(names.get(i), list.get(i));
      }
      return object;
    }));
  }

  private static Arbitrary<JsonElement> containers(Arbitrary<JsonElement> inner) {
    return Arbitraries.oneOf(
        inner.list().ofMaxSize(4).map(list -> {
          JsonArray array = new JsonArray();
          list.forEach(array::add);
          return array;
        }),
        Arbitraries.maps(keys(), inner).ofMaxSize(5).map(JsonArbitraries::object));
  }

  private static JsonObject object(java.util.Map<String, JsonElement> map) {
    JsonObject object = new JsonObject();
    map.forEach(object::add);
    return object;
  }
}
