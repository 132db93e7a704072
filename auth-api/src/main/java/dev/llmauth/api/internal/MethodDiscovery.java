package dev.llmauth.api.internal;

import dev.llmauth.api.spi.CredentialMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Finds {@link CredentialMethod}s with {@link ServiceLoader}, on the module path and the class path.
 *
 * <p>A provider that fails to load is skipped with a warning; of two providers with one method id, the one
 * earlier in priority order wins and the other is reported. The system property {@value #METHODS_PROPERTY}
 * (comma-separated method ids) keeps only the methods it names.
 */
public final class MethodDiscovery {
  /** Restricts discovery to the named method ids. */
  public static final String METHODS_PROPERTY = "llmauth.methods";

  private static final System.Logger LOG = System.getLogger(MethodDiscovery.class.getName());

  private MethodDiscovery() {}

  /**
   * Loads the providers visible to {@code loader}.
   *
   * @param loader the class loader, or {@code null} for the platform's default lookup
   * @return the providers in priority order, one per method id
   */
  public static List<CredentialMethod> load(@Nullable ClassLoader loader) {
    ServiceLoader<CredentialMethod> sl = loader == null
        ? ServiceLoader.load(CredentialMethod.class)
        : ServiceLoader.load(CredentialMethod.class, loader);
    List<CredentialMethod> found = new ArrayList<>();
    Iterator<CredentialMethod> it = sl.iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        LOG.log(System.Logger.Level.WARNING, "Skipping a credential method that failed to load: {0}",
            e.getMessage());
      }
    }
    return select(found, System.getProperty(METHODS_PROPERTY));
  }

  /**
   * Orders providers by priority, drops duplicates of a method id and applies a method filter.
   *
   * @param found the providers as found
   * @param filter comma-separated method ids to keep, or {@code null} for all
   * @return the providers in priority order, one per method id
   */
  public static List<CredentialMethod> select(List<CredentialMethod> found, @Nullable String filter) {
    List<CredentialMethod> sorted = new ArrayList<>(found);
    sorted.sort(Comparator.comparingInt(CredentialMethod::priority).thenComparing(CredentialMethod::method));
    Set<String> keep = filter == null || filter.isBlank()
        ? null
        : Arrays.stream(filter.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    Map<String, CredentialMethod> byMethod = new LinkedHashMap<>();
    for (CredentialMethod p : sorted) {
      if (keep != null && !keep.contains(p.method())) {
        continue;
      }
      CredentialMethod earlier = byMethod.putIfAbsent(p.method(), p);
      if (earlier != null) {
        LOG.log(System.Logger.Level.WARNING,
            "Two credential methods claim method ''{0}'': using {1}, ignoring {2}",
            p.method(), earlier.getClass().getName(), p.getClass().getName());
      }
    }
    return List.copyOf(byMethod.values());
  }
}
