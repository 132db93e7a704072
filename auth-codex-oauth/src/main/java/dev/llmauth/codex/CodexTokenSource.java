package dev.llmauth.codex;

import com.google.gson.JsonObject;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.file.FileSystemException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Hands out the access token stored in {@code auth.json} and refreshes it when it is due, rejected or expired.
 *
 * <p>Refresh tokens rotate and are single-use, so a refresh happens under the file's lock: the file is read
 * again inside the lock, and when another thread or process has refreshed meanwhile, its token is used without a
 * network call. The new tokens are merged into the file (members the response left out are kept) and the file is
 * replaced atomically. The account id stored at sign-in ({@code tokens.account_id}) is never changed by a refresh.
 */
final class CodexTokenSource implements TokenSource {
  /** How long before {@code exp} a token is refreshed (at most half its lifetime). */
  static final Duration REFRESH_WINDOW = Duration.ofMinutes(5);
  /** A token closer than this to {@code exp} is not used. */
  static final Duration EXPIRY_MARGIN = Duration.ofSeconds(30);
  /** Without an {@code exp}, a token is refreshed this long after {@code last_refresh}, as the Codex CLI does. */
  static final Duration NO_EXP_LIFETIME = Duration.ofDays(8);

  /** How often writing a refreshed sign-in is tried before its tokens are kept in memory. */
  static final int WRITE_ATTEMPTS = 3;
  private static final Duration WRITE_RETRY_PAUSE = Duration.ofMillis(50);
  private static final System.Logger LOG = System.getLogger("dev.llmauth.codex");

  static final String ACCOUNT_HEADER = "ChatGPT-Account-Id";
  static final String ORIGINATOR_HEADER = "originator";
  /** Sent for a FedRAMP workspace, as the Codex CLI does. */
  static final String FEDRAMP_HEADER = "X-OpenAI-Fedramp";
  private static final Set<String> PERMANENT_CODES = Set.of("refresh_token_reused", "refresh_token_expired",
      "refresh_token_invalidated", "invalid_grant");

  private final AuthFile file;
  private final OAuthClient client;
  private final String originator;
  private final InstantSource clock;
  private volatile @Nullable Secret rejected;
  /** A refreshed sign-in not yet written to the file, or {@code null}. */
  private volatile @Nullable Unwritten unwritten;
  /** The last refresh token the issuer refused for good: it is not sent again. */
  private volatile @Nullable Refused refused;

  /**
   * Creates a source.
   *
   * @param file the sign-in file
   * @param client the issuer
   * @param originator the {@code originator} header sent with each request
   * @param clock the clock
   */
  CodexTokenSource(AuthFile file, OAuthClient client, String originator, InstantSource clock) {
    this.file = Objects.requireNonNull(file, "file");
    this.client = Objects.requireNonNull(client, "client");
    this.originator = Objects.requireNonNull(originator, "originator");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Remembers a token the server rejected, so the next {@link FetchReason#INVALIDATED} fetch does not hand it out
   * again from the file.
   *
   * @param token the rejected token
   */
  void rejected(AccessToken token) {
    this.rejected = token.value();
  }

  /** @return the sign-in file */
  AuthFile file() {
    return file;
  }

  @Override
  public CompletionStage<AccessToken> fetch(TokenRequest request, FetchReason reason) {
    try {
      return CompletableFuture.completedFuture(fetch(reason));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public String describe() {
    return "ChatGPT sign-in at " + file.path();
  }

  @Override
  public String toString() {
    return "CodexTokenSource[" + file.path() + "]";
  }

  private AccessToken fetch(FetchReason reason) {
    Secret stale = reason == FetchReason.INVALIDATED ? rejected : null;
    Unwritten kept = unwritten;
    Stored before = kept != null ? kept.stored() : load();
    if (kept == null && acceptable(before, reason, stale)) {
      return before.token();
    }
    try {
      return file.locked(() -> {
        Stored current = currentLocked();
        boolean changed = !current.access.equals(before.access);
        if (acceptable(current, reason, stale)
            || (changed && current.usableAt(clock.instant()) && !current.access.equals(stale))) {
          return current.token();
        }
        return refresh(current);
      });
    } catch (IOException e) {
      throw new TokenException("cannot lock or write " + file.path() + ": " + (e instanceof FileSystemException
          ? e.getMessage() : e.getClass().getSimpleName()), e);
    }
  }

  /**
   * The newest sign-in, inside the lock: the file, or tokens a refresh could not store yet, which are written now
   * (unless a new sign-in has replaced the file meanwhile: then the file wins; or the file does not parse: then it
   * is left alone and the tokens stay in memory).
   */
  private Stored currentLocked() {
    Unwritten kept = unwritten;
    if (kept == null) {
      return load();
    }
    JsonObject onDisk;
    try {
      onDisk = file.read();
    } catch (AuthFile.Unparsable e) {
      return kept.stored(); // never rewrite a file that does not parse
    } catch (IOException e) {
      onDisk = null;
    }
    if (onDisk != null && onDisk.get("tokens") instanceof JsonObject t) {
      String diskRefresh = Jwt.string(t, "refresh_token");
      if (diskRefresh != null && !kept.replaced().equals(Secret.of(diskRefresh))
          && !Secret.of(diskRefresh).equals(kept.stored().refresh)) {
        unwritten = null;
        return load();
      }
    }
    store(kept.root(), kept.replaced());
    return kept.stored();
  }

  /**
   * Writes a refreshed sign-in, trying a few times. When it cannot be written, the new tokens are kept in memory
   * and served, each later fetch tries the write again, and a warning says so: the issuer has rotated the refresh
   * token, so the one in the file no longer works.
   */
  private void store(JsonObject root, Secret replaced) {
    IOException last = null;
    for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      try {
        file.write(root);
        unwritten = null;
        return;
      } catch (IOException e) {
        last = e;
        if (attempt + 1 < WRITE_ATTEMPTS) {
          try {
            Thread.sleep(WRITE_RETRY_PAUSE.toMillis());
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
    }
    Stored stored = Objects.requireNonNull(parse(root), "parse");
    unwritten = new Unwritten(root, replaced, stored);
    LOG.log(System.Logger.Level.WARNING, "cannot store the refreshed ChatGPT sign-in in " + file.path() + " ("
        + (last == null ? "interrupted" : last.getClass().getSimpleName() + ": " + last.getMessage()) + "); the new "
        + "tokens are kept in memory and used, and writing them is tried again on the next refresh; until it "
        + "succeeds, other programs using this file will have to sign in again");
  }

  private boolean acceptable(Stored s, FetchReason reason, @Nullable Secret stale) {
    if (s.access.equals(stale)) {
      return false;
    }
    Instant now = clock.instant();
    return now.isBefore(s.refreshAt) || (reason == FetchReason.INITIAL && s.usableAt(now));
  }

  private AccessToken refresh(Stored current) throws IOException {
    Secret refresh = current.refresh;
    if (refresh == null) {
      throw reauth("has no refresh token", null);
    }
    Refused dead = refused;
    if (dead != null && dead.token().equals(refresh)) {
      throw reauth(dead.why(), null);
    }
    OAuthClient.Response response;
    try {
      response = client.refresh(refresh.reveal());
    } catch (IOException e) {
      throw new TokenException("cannot refresh the sign-in at " + file.path() + ": the Codex issuer "
          + client.issuer() + " " + unreachable(e) + "; check the network connection and proxy settings; the "
          + "refresh is tried again", e);
    }
    Tokens answer;
    try {
      answer = tokens(response);
    } catch (TokenException e) {
      if (e.isPermanent() && AuthException.OAUTH_REAUTH_REQUIRED.equals(e.code())) {
        refused = new Refused(refresh, refusal(response.status(), response.errorCode()));
      }
      throw e;
    }
    JsonObject root = current.root.deepCopy();
    JsonObject tokens = root.get("tokens") instanceof JsonObject t ? t : new JsonObject();
    tokens.addProperty("access_token", answer.access());
    if (answer.id() != null) {
      tokens.addProperty("id_token", answer.id());
    }
    if (answer.refresh() != null) {
      tokens.addProperty("refresh_token", answer.refresh());
    }
    root.add("tokens", tokens);
    Instant now = clock.instant();
    root.addProperty("last_refresh", now.toString());
    store(root, refresh);
    Stored stored = Objects.requireNonNull(parse(root), "parse");
    if (!stored.expiresAt.isAfter(now)) {
      throw new TokenException("the Codex issuer " + client.issuer() + " answered a refresh with an access token "
          + "that expired at " + stored.expiresAt + ", before this machine's time " + now + "; check this "
          + "machine's clock; the new tokens were stored in " + file.path() + " and the refresh is tried again",
          null);
    }
    return stored.token();
  }

  /** The tokens of a refresh answer. */
  record Tokens(String access, @Nullable String id, @Nullable String refresh) {
    @Override
    public String toString() {
      return "Tokens[id=" + (id != null) + ", refresh=" + (refresh != null) + "]";
    }
  }

  /**
   * Reads the issuer's answer to a refresh.
   *
   * @param response the answer
   * @return the tokens it carries
   * @throws TokenException saying what was wrong and what to do: {@code oauth_reauth_required} (permanent) when
   *     the refresh token was refused, else {@code token_unavailable} (transient)
   */
  Tokens tokens(OAuthClient.Response response) {
    int status = response.status();
    if (!response.ok()) {
      String code = response.errorCode();
      if (permanent(status, code)) {
        throw reauth(refusal(status, code), null);
      }
      Duration hint = response.retryAfter();
      boolean wrongUrl = status == 404 || status == 405 || status / 100 == 3;
      throw new TokenException(AuthException.TOKEN_UNAVAILABLE, "refreshing the sign-in at " + file.path()
          + " failed: the Codex issuer " + client.issuer() + " answered " + response + "; "
          + (hint != null ? "it asked to wait " + hint.toSeconds() + " s, and the refresh is tried again then"
              : "the refresh is tried again with backoff") + "; "
          + (wrongUrl ? "if this lasts, check codexOAuth.issuer, which must be the issuer's base URL, such as "
              + "https://auth.openai.com" : "if this lasts, check the issuer's status and any proxy in between"),
          false, hint, null);
    }
    String problem = response.bodyProblem();
    if (problem != null) {
      throw new TokenException("the Codex issuer " + client.issuer() + " answered a refresh with HTTP " + status
          + " and " + problem + "; " + file.path() + " was left unchanged and the refresh is tried again; if this "
          + "lasts, check for a proxy that rewrites answers", null);
    }
    String access = response.string("access_token");
    if (access == null) {
      throw new TokenException("the Codex issuer " + client.issuer() + " answered a refresh without an "
          + "access_token; " + file.path() + " was left unchanged and the refresh is tried again", null);
    }
    return new Tokens(access, response.string("id_token"), response.string("refresh_token"));
  }

  private String unreachable(IOException e) {
    if (e instanceof HttpConnectTimeoutException) {
      return "could not be connected to in time";
    }
    if (e instanceof HttpTimeoutException) {
      return "gave no complete answer within " + OAuthClient.spoken(client.callTimeout());
    }
    if (e instanceof ConnectException) {
      return "refused the connection";
    }
    if (e instanceof UnknownHostException) {
      return "has a host name that does not resolve";
    }
    return "closed the connection before a complete answer (" + e.getClass().getSimpleName() + ")";
  }

  /**
   * A refreshed sign-in the file could not take yet.
   *
   * @param root the new content of the file
   * @param replaced the refresh token the refresh used up
   * @param stored the content as read
   */
  private record Unwritten(JsonObject root, Secret replaced, Stored stored) {
    @Override
    public String toString() {
      return "Unwritten[" + stored + "]";
    }
  }

  /**
   * Tells whether a failed refresh is the issuer's word that the refresh token is dead, as the Codex CLI reads it:
   * HTTP 401, or one of {@link #PERMANENT_CODES} compared case-insensitively (openai/codex {@code
   * codex-rs/login/src/auth/manager.rs}, {@code request_chatgpt_token_refresh} and {@code
   * classify_refresh_token_failure}; it does not list {@code invalid_grant}, the OAuth 2.0 code for the same).
   * Anything else (403, 5xx, a proxy's page) is transient.
   */
  static boolean permanent(int status, @Nullable String code) {
    return status == 401 || (code != null && PERMANENT_CODES.contains(code.toLowerCase(Locale.ROOT)));
  }

  /** A refresh token the issuer refused, and why. */
  private record Refused(Secret token, String why) {}

  private static String refusal(int status, @Nullable String code) {
    return "can no longer be refreshed (" + describeFailure(status, code) + ")";
  }

  private static String describeFailure(int status, @Nullable String code) {
    if (code == null) {
      return "HTTP " + status;
    }
    return switch (code.toLowerCase(Locale.ROOT)) {
      case "refresh_token_reused" -> "refresh_token_reused: the refresh token was already used, by another program "
          + "or a copy of this file";
      case "refresh_token_expired" -> "refresh_token_expired: the sign-in has expired";
      case "refresh_token_invalidated" -> "refresh_token_invalidated: the sign-in was revoked or signed out";
      default -> code + ", HTTP " + status;
    };
  }

  private TokenException reauth(String what, @Nullable Throwable cause) {
    return new TokenException(AuthException.OAUTH_REAUTH_REQUIRED, "the ChatGPT sign-in stored at " + file.path()
        + " " + what + "; " + CodexOAuthMethod.SIGN_IN_AGAIN, true, null, cause);
  }

  private Stored load() {
    JsonObject root;
    try {
      root = file.read();
    } catch (AuthFile.Unparsable e) {
      throw new TokenException(AuthException.TOKEN_UNAVAILABLE, e.getMessage() + ": the Codex CLI may be "
          + "writing it, or it is damaged; it was left unchanged and is read again on the next request; if this "
          + "lasts, " + CodexOAuthMethod.SIGN_IN_AGAIN, false, null, null);
    } catch (IOException e) {
      throw new TokenException("cannot read " + file.path() + ": " + e.getClass().getSimpleName(), e);
    }
    if (root == null) {
      String keyring = CodexCliConfig.keyringNote(file.path(), false);
      throw new TokenException(AuthException.OAUTH_REAUTH_REQUIRED, "no ChatGPT sign-in stored at " + file.path()
          + "; " + (keyring != null ? keyring : CodexOAuthMethod.SIGN_IN), true, null, null);
    }
    Stored s = parse(root);
    if (s == null) {
      throw reauth("holds no access token", null);
    }
    return s;
  }

  private @Nullable Stored parse(JsonObject root) {
    JsonObject tokens = root.get("tokens") instanceof JsonObject t ? t : null;
    String access = tokens == null ? null : Jwt.string(tokens, "access_token");
    if (tokens == null || access == null) {
      return null;
    }
    String refresh = Jwt.string(tokens, "refresh_token");
    String idToken = Jwt.string(tokens, "id_token");
    String account = Jwt.accountId(idToken, Jwt.string(tokens, "account_id"));
    Instant exp = Jwt.expiry(access);
    Instant issued = Jwt.issuedAt(access);
    if (exp == null) {
      Instant last = lastRefresh(root);
      exp = last == null ? Instant.EPOCH : last.plus(NO_EXP_LIFETIME);
      issued = last;
    }
    Duration window = REFRESH_WINDOW;
    if (issued != null && issued.isBefore(exp)) {
      Duration half = Duration.between(issued, exp).dividedBy(2);
      if (half.compareTo(window) < 0) {
        window = half;
      }
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (account != null) {
      headers.put(ACCOUNT_HEADER, account);
    }
    if (Jwt.fedramp(idToken)) {
      headers.put(FEDRAMP_HEADER, "true");
    }
    headers.put(ORIGINATOR_HEADER, originator);
    return new Stored(root, Secret.of(access), refresh == null ? null : Secret.of(refresh), exp, exp.minus(window),
        headers);
  }

  private static @Nullable Instant lastRefresh(JsonObject root) {
    String s = Jwt.string(root, "last_refresh");
    if (s == null) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** One reading of the file. */
  private static final class Stored {
    final JsonObject root;
    final Secret access;
    final @Nullable Secret refresh;
    final Instant expiresAt;
    final Instant refreshAt;
    final Map<String, String> headers;

    Stored(JsonObject root, Secret access, @Nullable Secret refresh, Instant expiresAt, Instant refreshAt,
        Map<String, String> headers) {
      this.root = root;
      this.access = access;
      this.refresh = refresh;
      this.expiresAt = expiresAt;
      this.refreshAt = refreshAt;
      this.headers = headers;
    }

    boolean usableAt(Instant now) {
      return now.isBefore(expiresAt.minus(EXPIRY_MARGIN));
    }

    AccessToken token() {
      return AccessToken.of(access, expiresAt, refreshAt).withHeaders(headers);
    }

    @Override
    public String toString() {
      return "Stored[expiresAt=" + expiresAt + "]";
    }
  }
}
