package dev.llmauth.entra;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpResponse;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The pauses MSAL4J schedules between identity calls, read from its retry policies without sleeping (IMDS's 410
 * schedule is 70 seconds of pauses). The loop below is MSAL's {@code HttpHelper.executeHttpRequestWithRetries}: the
 * maximum comes from the first answer, and each retry pauses for the policy's delay. The end-to-end tests count the
 * calls with the pauses shortened; this pins the real pauses, so an MSAL upgrade that changes them fails here.
 */
class MsalRetryScheduleTest {

  /** @return the pauses in milliseconds MSAL would sleep for these answers, one per retry */
  private static List<Integer> schedule(String policyClass, int... statuses) throws Exception {
    return schedule(policyClass, Map.of(), statuses);
  }

  private static List<Integer> schedule(String policyClass, Map<String, List<String>> headers, int... statuses)
      throws Exception {
    Class<?> type = Class.forName("com.microsoft.aad.msal4j." + policyClass);
    Constructor<?> constructor = type.getDeclaredConstructor();
    constructor.setAccessible(true);
    Object policy = constructor.newInstance();
    Method retryable = method(type, "isRetryable");
    Method max = method(type, "getMaxRetryCount");
    Method delay = method(type, "getRetryDelayMs");
    List<Integer> pauses = new ArrayList<>();
    int next = 0;
    IHttpResponse response = answer(statuses[next++], headers);
    int maximum = (int) max.invoke(policy, response);
    while ((boolean) retryable.invoke(policy, response) && pauses.size() < maximum) {
      pauses.add((int) delay.invoke(policy, response));
      response = answer(statuses[Math.min(next++, statuses.length - 1)], headers);
    }
    return pauses;
  }

  private static Method method(Class<?> type, String name) throws NoSuchMethodException {
    Method m = type.getMethod(name, IHttpResponse.class);
    m.setAccessible(true);
    return m;
  }

  private static IHttpResponse answer(int status, Map<String, List<String>> headers) {
    HttpResponse r = new HttpResponse().statusCode(status).body("{}");
    r.addHeaders(headers);
    return r;
  }

  @Test
  @DisplayName("IMDS 410: 7 retries 10 s apart, 70 s in all, as Azure documents for IMDS restarting")
  void imds410() throws Exception {
    List<Integer> pauses = schedule("IMDSRetryPolicy", 410);
    assertThat(pauses).containsExactlyElementsOf(Collections.nCopies(7, 10_000));
    assertThat(pauses.stream().mapToInt(Integer::intValue).sum()).isEqualTo(70_000);
  }

  @Test
  @DisplayName("IMDS 5xx, 404, 408, 429: 3 retries with exponential pauses 2 s, 4 s, 8 s; Retry-After ignored")
  void imdsTransient() throws Exception {
    for (int status : new int[] {500, 502, 503, 504, 404, 408}) {
      assertThat(schedule("IMDSRetryPolicy", status)).as("%s", status).containsExactly(2_000, 4_000, 8_000);
    }
    assertThat(schedule("IMDSRetryPolicy", Map.of("Retry-After", List.of("30")), 429))
        .containsExactly(2_000, 4_000, 8_000);
  }

  @Test
  @DisplayName("IMDS: 400, 401, 403 are not retried; a 500 first caps a later 410 at 3 retries")
  void imdsPermanentAndCap() throws Exception {
    for (int status : new int[] {400, 401, 403}) {
      assertThat(schedule("IMDSRetryPolicy", status)).as("%s", status).isEmpty();
    }
    assertThat(schedule("IMDSRetryPolicy", 500, 410, 410, 410, 410)).hasSize(3);
  }

  @Test
  @DisplayName("App Service and the other sources: 404, 408, 429, 500, 503, 504 get 3 retries 1 s apart; 502 none")
  void appService() throws Exception {
    for (int status : new int[] {404, 408, 500, 503, 504}) {
      assertThat(schedule("ManagedIdentityRetryPolicy", status)).as("%s", status)
          .containsExactly(1_000, 1_000, 1_000);
    }
    assertThat(schedule("ManagedIdentityRetryPolicy", Map.of("Retry-After", List.of("30")), 429))
        .as("Retry-After is not honoured").containsExactly(1_000, 1_000, 1_000);
    for (int status : new int[] {400, 401, 403, 410, 502}) {
      assertThat(schedule("ManagedIdentityRetryPolicy", status)).as("%s", status).isEmpty();
    }
  }
}
