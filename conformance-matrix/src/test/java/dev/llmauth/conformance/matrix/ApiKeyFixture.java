package dev.llmauth.conformance.matrix;

import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.apikey.ApiKeyMethod;
import dev.llmauth.conformance.MethodFixture;
import java.util.List;
import java.util.OptionalInt;

/** The api-key method: a static key, never fetched, sent as api-key on Azure OpenAI. */
final class ApiKeyFixture implements MethodFixture {
  private static final Secret KEY = Secret.of("sk-conformance-0123456789abcdef");

  @Override
  public String method() {
    return ApiKeyMethod.METHOD;
  }

  @Override
  public CredentialMethod credentialProvider() {
    return new ApiKeyMethod();
  }

  @Override
  public void configure(ProviderConfig.Builder provider) {
    provider.set("apiKey", KEY.reveal());
  }

  @Override
  public Secret currentToken() {
    return KEY;
  }

  @Override
  public OptionalInt fetches() {
    return OptionalInt.empty();
  }

  @Override
  public boolean sendsApiKeyHeaderOnAzure() {
    return true;
  }

  @Override
  public List<Secret> secrets() {
    return List.of(KEY);
  }
}
