package dev.llmauth.api.internal;

import dev.llmauth.api.spi.CredentialProvider;
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
 * Finds {@link CredentialProvider}s with {@link ServiceLoader}, on the module path and the class path.
 *
 * <p>A provider that fails to load is skipped with a warning; of two providers with one method id, the one
 * earlier in priority order wins and the other is reported. The system property {@value #METHODS_PROPERTY}
 * (comma-separated method ids) keeps only the methods it names.
 */
public final class ProviderDiscovery {
  /** Restricts discovery to the named method ids. */
  public static final String METHODS_PROPERTY = "llmauth.methods";

  private static final System.Logger LOG = System.getLogger(ProviderDiscovery.class.getName());

  private ProviderDiscovery() {}

  /**
   * Loads the providers visible to {@code loader}.
   *
   * @param loader the class loader, or {@code null} for the platform's default lookup
   * @return the providers in priority order, one per method id
   */
  public static List<CredentialProvider> load(@Nullable ClassLoader loader) {
    ServiceLoader<CredentialProvider> sl = loader == null
        ? ServiceLoader.load(CredentialProvider.class)
        : ServiceLoader.load(CredentialProvider.class, loader);
    List<CredentialProvider> found = new ArrayList<>();
    Iterator<CredentialProvider> it = sl.iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        LOG.log(System.Logger.Level.WARNING, "Skipping a credential provider that failed to load: {0}",
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
  public static List<CredentialProvider> select(List<CredentialProvider> found, @Nullable String filter) {
    List<CredentialProvider> sorted = new ArrayList<>(found);
    sorted.sort(Comparator.comparingInt(CredentialProvider::priority).thenComparing(CredentialProvider::method));
    Set<String> keep = filter == null || filter.isBlank()
        ? null
        : Arrays.stream(filter.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    Map<String, CredentialProvider> byMethod = new LinkedHashMap<>();
    for (CredentialProvider p : sorted) {
      if (keep != null && !keep.contains(p.method())) {
        continue;
      }
      CredentialProvider earlier = byMethod.putIfAbsent(p.method(), p);
      if (earlier != null) {
        LOG.log(System.Logger.Level.WARNING,
            "Two credential providers claim method ''{0}'': using {1}, ignoring {2}",
            p.method(), earlier.getClass().getName(), p.getClass().getName());
      }
    }
    return List.copyOf(byMethod.values());
  }
}
