package dev.llmauth.codex;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSyntaxException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.StringReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The Codex CLI's {@code auth.json}: reading it, replacing it atomically with mode 0600, and serialising changes
 * across threads and processes with a lock on {@code auth.json.lock} next to it. Members this library does not
 * know are kept as they are.
 */
final class AuthFile {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
      .create();
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final String TEMP_SUFFIX = ".tmp";
  private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
  /** One lock per file within this JVM: a file lock is held per process, not per thread. */
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  /** How long an unparsable file is read again before it counts as unparsable. */
  static final Duration SETTLE_TIME = Duration.ofSeconds(3);
  private static final Duration FIRST_PAUSE = Duration.ofMillis(20);
  private static final Duration MAX_PAUSE = Duration.ofMillis(250);
  private static final System.Logger LOG = System.getLogger("dev.llmauth.codex");
  private static final Pattern POSITION = Pattern.compile("line (\\d+) column (\\d+)");

  private final Path path;
  private final Duration settle;
  private final Pause pauser;
  private final BeforeRename beforeRename;

  /**
   * Uses a file; an unparsable file is read again for up to {@link #SETTLE_TIME}.
   *
   * @param path the {@code auth.json} path
   */
  AuthFile(Path path) {
    this(path, SETTLE_TIME, d -> Thread.sleep(d.toMillis()), tmp -> {});
  }

  private AuthFile(Path path, Duration settle, Pause pauser, BeforeRename beforeRename) {
    this.path = path.toAbsolutePath().normalize();
    this.settle = settle;
    this.pauser = pauser;
    this.beforeRename = beforeRename;
  }

  /**
   * The same file with another wait for an unparsable file, for tests and callers that cannot wait.
   *
   * @param settle how long an unparsable file is read again in all
   * @param pauser waits between readings
   * @return the file
   */
  AuthFile settling(Duration settle, Pause pauser) {
    return new AuthFile(path, settle, pauser, beforeRename);
  }

  /**
   * The same file with a step run after a new version is written to its temporary file and before the rename:
   * tests fail or stop the write there.
   *
   * @param hook the step
   * @return the file
   */
  AuthFile beforeRename(BeforeRename hook) {
    return new AuthFile(path, settle, pauser, hook);
  }

  /**
   * Finds the file for a provider: {@code codexOAuth.authFile} (a leading {@code ~/} is the home directory), else
   * {@code $CODEX_HOME/auth.json}, else {@code ~/.codex/auth.json}, with the home directory from {@code HOME} or
   * else the {@code user.home} property.
   *
   * @param config the provider's Codex settings, or {@code null}
   * @param env reads an environment variable, {@code null} when unset or empty
   * @return the file
   */
  static AuthFile resolve(@Nullable CodexOAuthSettings config, Function<String, @Nullable String> env) {
    String configured = config == null ? null : config.authFile();
    if (configured != null && !configured.isEmpty()) {
      if (configured.equals("~") || configured.startsWith("~/")) {
        return new AuthFile(home(env).resolve(configured.equals("~") ? "" : configured.substring(2)));
      }
      return new AuthFile(Path.of(configured));
    }
    String codexHome = env.apply("CODEX_HOME");
    if (codexHome != null) {
      return new AuthFile(Path.of(codexHome, "auth.json"));
    }
    return new AuthFile(home(env).resolve(".codex").resolve("auth.json"));
  }

  private static Path home(Function<String, @Nullable String> env) {
    String home = env.apply("HOME");
    return Path.of(home != null ? home : System.getProperty("user.home"));
  }

  /** @return the file's absolute path */
  Path path() {
    return path;
  }

  /**
   * Reads the file. The Codex CLI rewrites it in place, without a lock, so a reader can see it half written: a
   * file that does not parse is read again with a short backoff, for up to {@link #SETTLE_TIME} in all, before it
   * counts as unparsable.
   *
   * @return its JSON object, or {@code null} when the file does not exist
   * @throws Unparsable when it still is not a JSON object after that wait
   * @throws IOException when it cannot be read
   */
  @Nullable JsonObject read() throws IOException {
    Duration waited = Duration.ZERO;
    Duration step = FIRST_PAUSE;
    while (true) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(path);
      } catch (NoSuchFileException e) {
        return null;
      }
      try {
        return parse(new String(bytes, StandardCharsets.UTF_8));
      } catch (Unparsable e) {
        if (waited.compareTo(settle) >= 0) {
          throw e;
        }
        Duration pause = step.compareTo(settle.minus(waited)) < 0 ? step : settle.minus(waited);
        try {
          pauser.pause(pause);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for " + path + " to be written whole");
        }
        waited = waited.plus(pause);
        step = step.multipliedBy(2).compareTo(MAX_PAUSE) < 0 ? step.multipliedBy(2) : MAX_PAUSE;
      }
    }
  }

  private Unparsable unparsable(int line, int column, String what) {
    return new Unparsable(path, line, column, what, settle);
  }

  private JsonObject parse(String text) throws Unparsable {
    if (text.isBlank()) {
      return fail(unparsable(1, 1, "is empty"));
    }
    JsonElement e;
    try {
      JsonReader reader = new JsonReader(new StringReader(text));
      e = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new JsonSyntaxException("text after the JSON value" + reader);
      }
    } catch (JsonParseException | IOException | StackOverflowError bad) {
      Matcher m = POSITION.matcher(String.valueOf(bad.getMessage()));
      return m.find() ? fail(unparsable(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
          "is not valid JSON")) : fail(unparsable(0, 0, "is not valid JSON"));
    }
    if (!e.isJsonObject()) {
      return fail(unparsable(1, 1, "is not a JSON object"));
    }
    return e.getAsJsonObject();
  }

  private static JsonObject fail(Unparsable e) throws Unparsable {
    throw e;
  }

  /**
   * Runs {@code action} while holding this file's lock, exclusive across the threads of this JVM and across
   * processes.
   *
   * @param action what to do
   * @param <T> the result type
   * @return what {@code action} returns
   * @throws IOException when the lock cannot be taken
   */
  <T> T locked(LockedAction<T> action) throws IOException {
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(path, p -> new ReentrantLock());
    jvmLock.lock();
    try {
      ensureDirectory();
      Path lockFile = path.resolveSibling(path.getFileName() + ".lock");
      try (FileChannel channel = openLockFile(lockFile)) {
        FileLock lock = channel.lock();
        try {
          recoverLeftovers();
          return action.run();
        } finally {
          lock.release();
        }
      }
    } finally {
      jvmLock.unlock();
    }
  }

  /**
   * Replaces the file with {@code content}: written to a temporary file next to the file's target (through a
   * symbolic link, the link's target is replaced and the link kept) that is created with mode 0600 before any
   * data goes in, forced to disk, then renamed over the target atomically. A process killed meanwhile leaves the
   * old file intact and at most a temporary file, readable by its owner only; {@link #locked} recovers or removes
   * it. Call inside {@link #locked}.
   *
   * @param content the new content
   * @throws IOException when the file cannot be written
   */
  void write(JsonObject content) throws IOException {
    Path target = target();
    ensureDirectory(target.getParent());
    Path tmp = posix()
        ? Files.createTempFile(target.getParent(), tempPrefix(target), TEMP_SUFFIX,
            PosixFilePermissions.asFileAttribute(OWNER_ONLY))
        : Files.createTempFile(target.getParent(), tempPrefix(target), TEMP_SUFFIX);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
          OutputStream out = Channels.newOutputStream(ch)) {
        out.write((GSON.toJson(content) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        ch.force(true);
      }
      beforeRename.run(tmp);
      rename(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void rename(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String tempPrefix(Path target) {
    return "." + target.getFileName() + ".";
  }

  /**
   * The file the path names: the path itself, or the end of its chain of symbolic links (which need not exist yet).
   */
  private Path target() throws IOException {
    Path p = path;
    for (int hops = 0; Files.isSymbolicLink(p); hops++) {
      if (hops == 40) {
        throw new IOException(path + " is a chain of more than 40 symbolic links");
      }
      p = p.resolveSibling(Files.readSymbolicLink(p)).normalize();
    }
    return p;
  }

  /**
   * Deals with the temporary files a writer killed before its rename left next to the target; only writers
   * holding the lock make them, so while it is held every one is a leftover. The newest one that is a regular file
   * of this user, holds a whole JSON object and is not older than the file is a version that was never renamed
   * into place (a refresh whose rotated tokens would otherwise be lost): it becomes the file. The others are
   * removed.
   */
  private void recoverLeftovers() throws IOException {
    Path target = target();
    Path dir = target.getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    String prefix = tempPrefix(target);
    List<Path> leftovers = new ArrayList<>();
    try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, p -> {
      String name = p.getFileName().toString();
      return name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX);
    })) {
      stale.forEach(leftovers::add);
    }
    if (leftovers.isEmpty()) {
      return;
    }
    @Nullable Path best = null;
    @Nullable FileTime bestTime = null;
    UserPrincipal me = posix() ? currentUser(dir) : null;
    for (Path leftover : leftovers) {
      try {
        FileTime time = Files.getLastModifiedTime(leftover, LinkOption.NOFOLLOW_LINKS);
        if (Files.isRegularFile(leftover, LinkOption.NOFOLLOW_LINKS)
            && (me == null || me.equals(Files.getOwner(leftover, LinkOption.NOFOLLOW_LINKS)))
            && parse(new String(Files.readAllBytes(leftover), StandardCharsets.UTF_8)) != null
            && (bestTime == null || time.compareTo(bestTime) > 0)) {
          best = leftover;
          bestTime = time;
        }
      } catch (Unparsable | NoSuchFileException notWhole) {
        // cut short by the kill: removed below
      }
    }
    if (best != null && bestTime != null) {
      FileTime current = Files.exists(target)
          ? Files.getLastModifiedTime(target) : null;
      if (current == null || bestTime.compareTo(current) >= 0) {
        LOG.log(System.Logger.Level.WARNING, "recovering " + target + " from " + best.getFileName()
            + ", a complete version a previous process wrote but did not rename into place");
        rename(best, target);
      }
    }
    for (Path leftover : leftovers) {
      Files.deleteIfExists(leftover);
    }
  }

  /**
   * Stores a new sign-in: the tokens, the account id, {@code auth_mode: chatgpt} and {@code last_refresh}, keeping
   * every other member of the file. Call inside {@link #locked}.
   *
   * @param idToken the id token
   * @param accessToken the access token
   * @param refreshToken the refresh token
   * @param now the time of the sign-in
   * @return the account id stored, or {@code null}
   * @throws Unparsable when the file exists but does not parse: it is left as it is
   * @throws IOException when the file cannot be read or written
   */
  @Nullable String storeSignIn(String idToken, String accessToken, String refreshToken, Instant now)
      throws IOException {
    JsonObject existing = read();
    JsonObject root = existing != null ? existing : new JsonObject();
    root.addProperty("auth_mode", "chatgpt");
    if (!root.has("OPENAI_API_KEY")) {
      root.add("OPENAI_API_KEY", JsonNull.INSTANCE);
    }
    JsonObject tokens = root.get("tokens") instanceof JsonObject t ? t : new JsonObject();
    String accountId = Jwt.accountId(idToken, null);
    tokens.addProperty("id_token", idToken);
    tokens.addProperty("access_token", accessToken);
    tokens.addProperty("refresh_token", refreshToken);
    tokens.add("account_id", accountId == null ? JsonNull.INSTANCE : new JsonPrimitive(accountId));
    root.add("tokens", tokens);
    root.addProperty("last_refresh", now.toString());
    write(root);
    return accountId;
  }

  /**
   * Removes the stored sign-in ({@code tokens}, {@code last_refresh}, {@code auth_mode: chatgpt}). When nothing
   * else of value is left, the file is deleted. Call inside {@link #locked}.
   *
   * @return whether a sign-in was removed
   * @throws Unparsable when the file does not parse: it is left as it is
   * @throws IOException when the file cannot be read, written or deleted
   */
  boolean removeSignIn() throws IOException {
    JsonObject root = read();
    if (root == null) {
      return false;
    }
    boolean had = root.has("tokens");
    root.remove("tokens");
    root.remove("last_refresh");
    if ("chatgpt".equals(Jwt.string(root, "auth_mode"))) {
      root.remove("auth_mode");
    }
    boolean empty = root.entrySet().stream().allMatch(e -> e.getValue().isJsonNull());
    if (empty) {
      Files.delete(path);
    } else if (had) {
      write(root);
    }
    return had;
  }

  private void ensureDirectory() throws IOException {
    ensureDirectory(path.getParent());
  }

  private void ensureDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      try {
        if (posix()) {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
        } else {
          Files.createDirectories(dir);
        }
      } catch (FileAlreadyExistsException e) {
        // created meanwhile
      }
    }
  }

  /**
   * Opens the lock file without following a symbolic link (a planted {@code auth.json.lock} link must not make this
   * create or open a file elsewhere), and requires a regular file owned by this user.
   */
  private FileChannel openLockFile(Path lockFile) throws IOException {
    Set<OpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    FileAttribute<?>[] attrs = posix()
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
    FileChannel channel;
    try {
      channel = FileChannel.open(lockFile, options, attrs);
    } catch (IOException e) {
      if (Files.isSymbolicLink(lockFile)) {
        throw new FileSystemException(lockFile.toString(), null, "the lock file is a symbolic link; llm-auth "
            + "locks only a regular file of its own: remove the link");
      }
      throw e;
    }
    try {
      BasicFileAttributes attributes = Files.readAttributes(lockFile, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      if (!attributes.isRegularFile()) {
        throw new FileSystemException(lockFile.toString(), null, "the lock file is not a regular file; remove it");
      }
      if (posix()) {
        UserPrincipal owner = Files.getOwner(lockFile, LinkOption.NOFOLLOW_LINKS);
        UserPrincipal me = currentUser(lockFile);
        if (me != null && !owner.equals(me)) {
          throw new FileSystemException(lockFile.toString(), null, "the lock file is owned by " + owner.getName()
              + ", not by " + me.getName() + "; remove it");
        }
      }
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return channel;
  }

  /**
   * Says what lets others change the sign-in: the file (its target, through a link) or its directory writable by
   * the group or by everyone, or owned by another user. {@code doctor} shows these through the method's
   * availability.
   *
   * @return one warning per problem, each naming the path and the fix; empty when there is none or on a file system
   *     without POSIX permissions
   */
  List<String> exposure() {
    List<String> warnings = new ArrayList<>();
    if (!posix()) {
      return warnings;
    }
    Path target;
    try {
      target = target();
    } catch (IOException e) {
      return warnings;
    }
    UserPrincipal me = currentUser(path);
    for (Path p : new Path[] {target, target.getParent()}) {
      try {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
        String what = a.isDirectory() ? "the directory " + p + " of the sign-in" : "the sign-in file " + p;
        Set<PosixFilePermission> perms = a.permissions();
        if (perms.contains(PosixFilePermission.OTHERS_WRITE) || perms.contains(PosixFilePermission.GROUP_WRITE)) {
          warnings.add("warning: " + what + " is writable by "
              + (perms.contains(PosixFilePermission.OTHERS_WRITE) ? "everyone" : "its group")
              + ", who can replace the sign-in; run: chmod " + (a.isDirectory() ? "700 " : "600 ") + p);
        }
        if (me != null && !a.owner().equals(me)) {
          warnings.add("warning: " + what + " is owned by " + a.owner().getName() + ", not by " + me.getName()
              + ", who can replace the sign-in; run: chown " + me.getName() + " " + p);
        }
      } catch (IOException | RuntimeException e) {
        // absent or unreadable: nothing to warn about here
      }
    }
    return warnings;
  }

  /** @return the user this process runs as, or {@code null} when it cannot be told */
  static @Nullable UserPrincipal currentUser(Path onFileSystem) {
    try {
      return onFileSystem.getFileSystem().getUserPrincipalLookupService()
          .lookupPrincipalByName(System.getProperty("user.name"));
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  private boolean posix() {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  @Override
  public String toString() {
    return path.toString();
  }

  /** A step between writing the temporary file and renaming it. */
  @FunctionalInterface
  interface BeforeRename {
    void run(Path tmp) throws IOException;
  }

  /** Waits between readings of a file that did not parse. */
  @FunctionalInterface
  interface Pause {
    void pause(Duration d) throws InterruptedException;
  }

  /**
   * The file did not parse as a JSON object, even after waiting for a writer to finish: it says where, never what
   * the file holds.
   */
  static final class Unparsable extends IOException {
    private static final long serialVersionUID = 1L;
    private final int line;
    private final int column;

    Unparsable(Path path, int line, int column, String what, Duration waited) {
      super(path + " " + what + (line > 0 ? " (line " + line + ", column " + column + ")" : "") + " after reading "
          + "it again for " + waited.toMillis() / 1000.0 + " s");
      this.line = line;
      this.column = column;
    }

    /** @return the line where parsing failed, 1-based, or 0 when unknown */
    int line() {
      return line;
    }

    /** @return the column where parsing failed, 1-based, or 0 when unknown */
    int column() {
      return column;
    }
  }

  /**
   * Work done under {@link #locked}.
   *
   * @param <T> the result type
   */
  @FunctionalInterface
  interface LockedAction<T> {
    /**
     * Does the work.
     *
     * @return the result
     * @throws IOException on a file failure
     */
    T run() throws IOException;
  }
}
