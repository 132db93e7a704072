package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever the token text, claim extraction yields claims or nothing, never an exception. */
class JwtProperties {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  @Property
  void anyStringGivesClaimsOrNothing(@ForAll String token) {
    readsWithoutThrowing(token);
  }

  @Property
  void anyThreePartTokenGivesClaimsOrNothing(@ForAll("jwtLike") String token) {
    readsWithoutThrowing(token);
  }

  @Property
  void aTokenWithAnObjectPayloadGivesExactlyThatObject(@ForAll("claims") JsonObject claims) {
    assertThat(Jwt.claims(jwt(claims))).isEqualTo(claims);
  }

  @Property
  void theAccountIdIsTheStoredOneElseTheAuthClaimOfTheIdToken(@ForAll("accountPlaces") Places id,
      @ForAll("optionalIds") Optional<String> stored) {
    String expected = stored.or(id::auth).orElse(null);
    assertThat(Jwt.accountId(jwt(id.claims()), stored.orElse(null))).isEqualTo(expected);
  }

  private static void readsWithoutThrowing(String token) {
    JsonObject claims = Jwt.claims(token);
    Jwt.expiry(token);
    Jwt.issuedAt(token);
    Jwt.email(token);
    String account = Jwt.accountId(token, null);
    Jwt.fedramp(token);
    assertThat(account).isNotEqualTo("");
    if (claims == null) {
      assertThat(Jwt.expiry(token)).isNull();
      assertThat(account).isNull();
    }
  }

  private static String jwt(JsonObject claims) {
    return B64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".sig";
  }

  /** Where a token can carry an account id: the auth claim, the top level, the first organization. */
  record Places(Optional<String> auth, Optional<String> top, Optional<String> org) {
    JsonObject claims() {
      JsonObject c = new JsonObject();
      auth.ifPresent(a -> {
        JsonObject o = new JsonObject();
        o.addProperty("chatgpt_account_id", a);
        c.add(Jwt.AUTH_CLAIM, o);
      });
      top.ifPresent(t -> c.addProperty("chatgpt_account_id", t));
      org.ifPresent(o -> {
        JsonArray orgs = new JsonArray();
        JsonObject first = new JsonObject();
        first.addProperty("id", o);
        orgs.add(first);
        JsonObject second = new JsonObject();
        second.addProperty("id", "org-second");
        orgs.add(second);
        c.add("organizations", orgs);
      });
      return c;
    }
  }

  @Provide
  Arbitrary<Optional<String>> optionalIds() {
    return Arbitraries.strings().ofMinLength(1).ofMaxLength(12).optional(0.5);
  }

  @Provide
  Arbitrary<Places> accountPlaces() {
    return Combinators.combine(optionalIds(), optionalIds(), optionalIds()).as(Places::new);
  }

  @Provide
  Arbitrary<String> jwtLike() {
    Arbitrary<String> segment = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(20),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(B64::encodeToString),
        claims().map(c -> B64.encodeToString(c.toString().getBytes(StandardCharsets.UTF_8))),
        Arbitraries.strings().ofMaxLength(30).map(s -> B64.encodeToString(s.getBytes(StandardCharsets.UTF_8))),
        Arbitraries.of("", "=", "e30", "e30=", "W10", "bnVsbA", "!!", "eyJleHAiOjFlNDAwfQ",
            "eyJleHAiOjkyMjMzNzIwMzY4NTQ3NzU4MDd9", "eyJleHAiOi05MjIzMzcyMDM2ODU0Nzc1ODA4fQ"));
    return segment.list().ofMinSize(1).ofMaxSize(4).map(parts -> String.join(".", parts));
  }

  @Provide
  Arbitrary<JsonObject> claims() {
    Arbitrary<JsonElement> numbers = Arbitraries.oneOf(
        Arbitraries.longs().map(JsonPrimitive::new),
        Arbitraries.of(new BigDecimal("1e400"), new BigDecimal("-1e400"), new BigDecimal("1.5"),
            new BigDecimal("9223372036854775808"), new BigDecimal("31556889864403199"),
            new BigDecimal("31556889864403200")).map(JsonPrimitive::new));
    Arbitrary<JsonElement> values = Arbitraries.oneOf(numbers,
        Arbitraries.strings().ofMaxLength(10).map(JsonPrimitive::new),
        Arbitraries.of(true, false).map(JsonPrimitive::new),
        Arbitraries.just(JsonNull.INSTANCE),
        Arbitraries.just(new JsonObject()),
        Arbitraries.just(new JsonArray()));
    Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.of("exp", "iat", "email", "chatgpt_account_id",
        "organizations", Jwt.AUTH_CLAIM, "https://api.openai.com/profile"), Arbitraries.strings().ofMaxLength(5));
    return Arbitraries.maps(names, values).ofMaxSize(6).map(m -> {
      JsonObject o = new JsonObject();
      m.forEach(o::add);
      return o;
    });
  }
}
