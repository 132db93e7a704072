package dev.llmauth.entra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.conformance.mock.MockIdentityServer;
import dev.llmauth.conformance.mock.Fault;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Managed identity end to end against the mock identity server. MSAL4J reads the identity variables from the
 * process environment only, so every scenario runs in a JVM of its own ({@link EntraChild}) whose environment
 * holds nothing but the mock's variables: nothing can reach a real identity endpoint.
 */
class ManagedIdentityTest {
  private final MockIdentityServer mock = new MockIdentityServer().start();

  @AfterEach
  void stop() {
    mock.close();
  }

  private ChildJvm.Output run(Map<String, String> env, String provider, String... commands) throws Exception {
    String[] args = new String[commands.length + 1];
    args[0] = provider;
    System.arraycopy(commands, 0, args, 1, commands.length);
    ChildJvm.Output out = ChildJvm.run(env, List.of(), EntraChild.class, args);
    assertThat(out.exitCode()).as("child stderr: %s", out.stderr()).isZero();
    return out;
  }

  private static String provider(String managedIdentity) {
    return "mi" + managedIdentity;
  }

  private List<String> issuedFingerprints() {
    return mock.issuedTokens().stream().map(EntraChild::fp).toList();
  }

  @Test
  @DisplayName("system-assigned via App Service: one identity call for 500 requests on 16 threads")
  void systemAssignedAppService() throws Exception {
    ChildJvm.Output out = run(mock.appServiceEnvironment(), provider(""), "authorize", "500", "16");
    assertThat(out.only("resolved")).isEqualTo("entra | managed identity (system-assigned) via App Service");
    assertThat(mock.tokenRequests()).singleElement().satisfies(r -> {
      assertThat(r.path()).isEqualTo(MockIdentityServer.APP_SERVICE_PATH);
      assertThat(r.queryParameter("api-version")).isEqualTo("2019-08-01");
      assertThat(r.queryParameter("resource")).isEqualTo("https://cognitiveservices.azure.com");
      assertThat(r.header("X-IDENTITY-HEADER")).isEqualTo(mock.identityHeader());
      assertThat(r.queryParameter("client_id")).isNull();
    });
    assertThat(out.only("authorize")).isEqualTo("1 " + issuedFingerprints().get(0));
    assertThat(out.stderr()).doesNotContain(mock.identityHeader()).doesNotContain(mock.issuedTokens().get(0));
  }

  @Test
  @DisplayName("each user-assigned selector reaches App Service as client_id, object_id or mi_res_id")
  void userAssignedAppService() throws Exception {
    String env = "";
    Map<String, String> selectors = Map.of("clientId", "client_id", "objectId", "object_id", "resourceId",
        "mi_res_id");
    for (Map.Entry<String, String> s : selectors.entrySet()) {
      mock.reset();
      String value = s.getKey().equals("resourceId")
          ? "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"
          : "11111111-2222-3333-4444-555555555555";
      ChildJvm.Output out = run(mock.appServiceEnvironment(),
          provider(";" + s.getKey() + "=" + value), "authorize", "3", "1");
      assertThat(out.only("resolved")).as(env).contains("user-assigned by " + s.getKey()).contains("App Service");
      assertThat(mock.tokenRequests()).singleElement()
          .satisfies(r -> assertThat(r.queryParameter(s.getValue())).isEqualTo(value));
      assertThat(out.only("authorize")).isEqualTo("1 " + issuedFingerprints().get(0));
    }
  }

  @Test
  @DisplayName("user-assigned by clientId via IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST) with a custom scope")
  void imdsCustomScope() throws Exception {
    ChildJvm.Output out = run(mock.imdsEnvironment(),
        provider(";clientId=abc;scope=api://my-gateway/.default"), "authorize", "50", "4");
    assertThat(out.only("resolved"))
        .isEqualTo("entra | managed identity (user-assigned by clientId) via IMDS for scope api://my-gateway/.default");
    RecordedRequest r = mock.tokenRequests().get(0);
    assertThat(r.path()).isEqualTo(MockIdentityServer.IMDS_PATH);
    assertThat(r.header("Metadata")).isEqualTo("true");
    assertThat(r.queryParameter("api-version")).isEqualTo("2018-02-01");
    assertThat(r.queryParameter("resource")).isEqualTo("api://my-gateway");
    assertThat(r.queryParameter("client_id")).isEqualTo("abc");
    assertThat(mock.tokenRequests()).hasSize(1);
  }

  @Test
  @DisplayName("inside the refresh window the current token keeps serving while one forced fetch rotates it")
  void rotationInRefreshWindow() throws Exception {
    Map<String, String> env = new HashMap<>(mock.appServiceEnvironment());
    env.put("MOCK_IDENTITY_CONFIGURE", mock.url("/__control/configure").toString());
    // The first token comes at once; the rotation is held back, so the batch inside the refresh window is served
    // by the current token whatever the machine's speed.
    mock.enqueue(Fault.delay(Duration.ZERO)).enqueue(Fault.delay(
        Duration.ofSeconds(3)));
    ChildJvm.Output out = run(env, provider(""),
        "authorize", "20", "4", "advance", "3000", "authorize", "20", "4", "advance", "360", "authorize", "20", "4",
        "await-new", "authorize", "20", "4");
    List<String> issued = issuedFingerprints();
    assertThat(issued).hasSize(2);
    List<String> authorized = out.out("authorize");
    assertThat(authorized).containsExactly("1 " + issued.get(0), "1 " + issued.get(0), "1 " + issued.get(0),
        "1 " + issued.get(1));
    assertThat(out.only("await-new")).isEqualTo(issued.get(1));
    assertThat(mock.tokenRequests()).hasSize(2);
  }

  @Test
  @DisplayName("a 401 from the model invalidates the token: one forced identity call brings a new one")
  void invalidateAfter401() throws Exception {
    ChildJvm.Output out = run(mock.appServiceEnvironment(), provider(""),
        "authorize", "5", "1", "invalidate", "authorize", "5", "1", "invalidate", "authorize", "1", "1");
    List<String> issued = issuedFingerprints();
    assertThat(issued).hasSize(3).doesNotHaveDuplicates();
    assertThat(out.out("invalidate")).containsExactly("true", "true");
    assertThat(out.out("authorize")).containsExactly("1 " + issued.get(0), "1 " + issued.get(1),
        "1 " + issued.get(2));
  }

  @Test
  @DisplayName("transient identity faults (500, 503) are retried by MSAL, once each, and the request succeeds")
  void transientFaultsRetried() throws Exception {
    mock.enqueue(Fault.status(500)).enqueue(Fault.status(503));
    ChildJvm.Output out = run(mock.appServiceEnvironment(), provider(""), "authorize", "10", "4");
    assertThat(mock.tokenRequests()).hasSize(3);
    assertThat(out.only("authorize")).isEqualTo("1 " + issuedFingerprints().get(0));
  }

  @Test
  @DisplayName("a permanent fault (400) is reported as a typed, permanent error naming the source and the fix")
  void permanentFaultReported() throws Exception {
    mock.enqueue(Fault.status(400));
    ChildJvm.Output out = run(mock.appServiceEnvironment(), provider(";clientId=abc"), "fail");
    String fail = out.only("fail");
    assertThat(fail).startsWith("token_unavailable permanent=true")
        .contains("managed identity (user-assigned by clientId) via App Service")
        .contains(mock.appServiceEndpoint().toString())
        .contains("HTTP 400")
        .contains("check that a managed identity is enabled")
        .doesNotContain(mock.identityHeader());
    assertThat(mock.tokenRequests()).hasSize(1);
  }

  @Test
  @DisplayName("a missing identity endpoint gives a typed error naming IMDS and the fix, without secrets")
  void missingEndpoint() throws Exception {
    Map<String, String> env = new HashMap<>(mock.imdsEnvironment());
    mock.close();
    ChildJvm.Output out = run(env, provider(""), "fail");
    assertThat(out.only("fail")).startsWith("token_unavailable")
        .contains("managed identity (system-assigned) via IMDS")
        .contains("IMDS answers only on Azure VMs");
  }

  @Test
  @DisplayName("a malformed identity answer is an error, not a crash, and the next request recovers")
  void malformedAnswer() throws Exception {
    mock.enqueue(Fault.malformedJson());
    ChildJvm.Output out = run(mock.appServiceEnvironment(), provider(""), "fail", "authorize", "2", "1");
    assertThat(out.only("fail")).startsWith("token_unavailable").contains("App Service");
    assertThat(out.only("authorize")).isEqualTo("1 " + issuedFingerprints().get(issuedFingerprints().size() - 1));
  }

  @Test
  @DisplayName("providerDataHeader: the token travels as azure_api_key with azure_api_base, merged with what is there")
  void providerDataHeader() throws Exception {
    String provider = "mi;providerDataHeader=X-LlamaStack-Provider-Data";
    ChildJvm.Output out = run(mock.appServiceEnvironment(), provider,
        "provider-data", "X-LlamaStack-Provider-Data", "{\"other\":\"kept\",\"azure_api_key\":\"old\"}");
    String line = out.only("provider-data");
    assertThat(line).startsWith("{\"other\":\"kept\",\"azure_api_key\":\"" + issuedFingerprints().get(0)
        + "\",\"azure_api_base\":\"https://example.openai.azure.com/openai/v1\"}");
    assertThat(line).contains("authorization");
  }

  @Test
  @DisplayName("a cancelled request stops waiting but the shared fetch completes and serves the next request")
  void cancellation() throws Exception {
    mock.enqueue(Fault.delay(Duration.ofMillis(300)));
    ChildJvm.Output out = run(mock.appServiceEnvironment(), provider(""), "cancel", "authorize", "5", "2");
    assertThat(out.only("cancel")).isEqualTo("true true");
    assertThat(out.only("authorize")).isEqualTo("1 " + issuedFingerprints().get(0));
    assertThat(mock.tokenRequests()).hasSize(1);
  }

  @Test
  @DisplayName("entra: {} runs DefaultAzureCredential, narrowed by AZURE_TOKEN_CREDENTIALS to the managed identity")
  void defaultAzureCredential() throws Exception {
    Map<String, String> env = new HashMap<>(mock.appServiceEnvironment());
    env.put("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential");
    env.put("AZURE_CLIENT_ID", "");
    ChildJvm.Output out = run(env, "entra", "authorize", "50", "4");
    assertThat(out.only("resolved"))
        .isEqualTo("entra | DefaultAzureCredential narrowed to ManagedIdentityCredential by AZURE_TOKEN_CREDENTIALS");
    assertThat(out.only("authorize")).isEqualTo("1 " + issuedFingerprints().get(0));
    assertThat(mock.tokenRequests()).hasSize(1)
        .allSatisfy(r -> assertThat(r.queryParameter("client_id")).as("empty AZURE_CLIENT_ID is unset").isNull());
  }
}
