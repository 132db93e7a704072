package dev.llmauth.benchmarks;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the tables of {@code benchmarks/README.md} from the results files, so that no figure is copied by hand.
 * The README marks each generated part with {@code <!-- generated: NAME -->} and {@code <!-- /generated -->};
 * everything between them is replaced. {@code NAME} is {@code requestPath} or {@code tokenCache} (rows of
 * {@code latest.json} with each anchor's time as a multiple of ours, measured in the same run), or the name of
 * another results file without {@code .json} (every array of objects in it becomes a table, its other values a
 * line).
 *
 * <p>{@code requestPathSummary} is one sentence for the project README: ours at 1 thread and each anchor as a
 * multiple of it.
 *
 * <p>Arguments: the results directory and the READMEs to rewrite.
 */
public final class ReadmeTables {
  private static final Pattern PART =
      Pattern.compile("(<!-- generated: (\\w+) -->\\n)(.*?)(<!-- /generated -->)", Pattern.DOTALL);
  /** The per-request targets at 1 thread. */
  static final double TARGET_NANOS = 15;

  private ReadmeTables() {}

  /**
   * Rewrites the README.
   *
   * @param args the results directory, the READMEs
   * @throws IOException when a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: ReadmeTables <results directory> <README.md>...");
    }
    Path results = Path.of(args[0]);
    for (int i = 1; i < args.length; i++) {
      rewrite(results, Path.of(args[i]));
    }
  }

  private static void rewrite(Path results, Path readme) throws IOException {
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    Matcher m = PART.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + render(results, m.group(2)) + m.group(4)));
    }
    m.appendTail(out);
    Files.writeString(readme, out, StandardCharsets.UTF_8);
    System.out.println("tables written into " + readme);
  }

  static String render(Path results, String name) throws IOException {
    return switch (name) {
      case "requestPath" -> jmh(results, "RequestPathBenchmark",
          List.of("ours", "oursAsync", "azureCore", "googleAuth", "baseline", "oursProviderData"),
          List.of("azureCore", "googleAuth"));
      case "tokenCache" -> jmh(results, "TokenCacheHotPathBenchmark",
          List.of("ours", "oursWithListener", "oursByKey", "azureCore", "googleAuth", "awsSdk"),
          List.of("azureCore", "googleAuth", "awsSdk"));
      case "requestPathSummary" -> summary(results);
      default -> generic(read(results.resolve(name + ".json")));
    };
  }

  private static JsonElement read(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new IOException(file + " is missing; run benchmarks/run.sh");
    }
    return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** One row per method and thread count, then a line per thread count with the ratios and the targets. */
  private static String jmh(Path results, String benchmarkClass, List<String> methods, List<String> anchors)
      throws IOException {
    JsonArray rows = read(results.resolve("latest.json")).getAsJsonArray();
    Map<String, JsonObject> byKey = new LinkedHashMap<>();
    Set<Integer> threads = new LinkedHashSet<>();
    String profile = "";
    for (JsonElement e : rows) {
      JsonObject r = e.getAsJsonObject();
      String benchmark = r.get("benchmark").getAsString();
      if (!benchmark.contains("." + benchmarkClass + ".")) {
        continue;
      }
      int t = r.get("threads").getAsInt();
      threads.add(t);
      byKey.put(benchmark.substring(benchmark.lastIndexOf('.') + 1) + "@" + t, r);
      profile = String.format(Locale.ROOT, "%d fork(s), %d × %s warmup, %d × %s measurement",
          r.get("forks").getAsInt(), r.get("warmupIterations").getAsInt(), r.get("warmupTime").getAsString(),
          r.get("measurementIterations").getAsInt(), r.get("measurementTime").getAsString());
    }
    if (byKey.isEmpty()) {
      throw new IOException("latest.json has no " + benchmarkClass + " results; run benchmarks/run.sh");
    }
    StringBuilder sb = new StringBuilder();
    Path machine = results.resolve("latest.machine.json");
    if (Files.exists(machine)) {
      sb.append(machineLine(read(machine).getAsJsonObject().getAsJsonObject("machine"))).append("\n\n");
    }
    sb.append("`").append(benchmarkClass).append("`, ").append(profile)
        .append(", `-prof gc`. \"× ours\": the method's time divided by ours, same run and thread count.\n\n");
    sb.append("| method | threads | ns/op | ± (99.9%) | B/op | × ours |\n|---|---:|---:|---:|---:|---:|\n");
    for (int t : threads) {
      JsonObject ours = byKey.get("ours@" + t);
      for (String method : methods) {
        JsonObject r = byKey.get(method + "@" + t);
        if (r == null) {
          continue;
        }
        sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.2f |%n", method, t, score(r),
            error(r), bytes(r), ours == null ? Double.NaN : score(r) / score(ours)));
      }
    }
    sb.append('\n');
    for (int t : threads) {
      JsonObject ours = byKey.get("ours@" + t);
      if (ours == null) {
        continue;
      }
      List<String> ratios = new ArrayList<>();
      boolean fastest = true;
      for (String a : anchors) {
        JsonObject r = byKey.get(a + "@" + t);
        if (r != null) {
          ratios.add(String.format(Locale.ROOT, "%s %.1f×", a, score(r) / score(ours)));
          fastest &= score(r) > score(ours);
        }
      }
      sb.append(String.format(Locale.ROOT, "- %d thread%s: ours %.1f ns/op and %.1f B/op; time as a multiple of "
              + "ours: %s; faster than every anchor: **%s**", t, t == 1 ? "" : "s", score(ours), bytes(ours),
          String.join(", ", ratios), fastest ? "yes" : "no"));
      JsonObject base = byKey.get("baseline@" + t);
      if (base != null) {
        sb.append(String.format(Locale.ROOT, "; the harness floor (`baseline`) is %.1f ns/op", score(base)));
      }
      if (t == 1 && benchmarkClass.equals("RequestPathBenchmark")) {
        sb.append(String.format(Locale.ROOT, "; target ≤ %.0f ns/op and 0 B/op: **%s** by the mean (99.9 %% "
                + "interval %.1f-%.1f ns/op)", TARGET_NANOS,
            score(ours) <= TARGET_NANOS && bytes(ours) < 0.5 ? "met" : "not met", score(ours) - error(ours),
            score(ours) + error(ours)));
      }
      sb.append(".\n");
    }
    return sb.toString();
  }

  /** One sentence: ours at 1 thread, the anchors as multiples of it. */
  private static String summary(Path results) throws IOException {
    Map<String, JsonObject> one = new LinkedHashMap<>();
    for (JsonElement e : read(results.resolve("latest.json")).getAsJsonArray()) {
      JsonObject r = e.getAsJsonObject();
      String benchmark = r.get("benchmark").getAsString();
      if (benchmark.contains(".RequestPathBenchmark.") && r.get("threads").getAsInt() == 1) {
        one.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), r);
      }
    }
    JsonObject ours = one.get("ours");
    JsonObject azure = one.get("azureCore");
    JsonObject google = one.get("googleAuth");
    if (ours == null || azure == null || google == null) {
      throw new IOException("latest.json lacks RequestPathBenchmark ours/azureCore/googleAuth at 1 thread");
    }
    return String.format(Locale.ROOT, "at 1 thread ours takes %.1f ns and allocates %.0f bytes per request; "
        + "azure-core takes %.0f× as long and allocates %.0f bytes, google-auth-library takes %.0f× as long.%n",
        score(ours), bytes(ours), score(azure) / score(ours), bytes(azure), score(google) / score(ours));
  }

  private static double score(JsonObject r) {
    return r.getAsJsonObject("primaryMetric").get("score").getAsDouble();
  }

  private static double error(JsonObject r) {
    JsonElement e = r.getAsJsonObject("primaryMetric").get("scoreError");
    return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsDouble() : Double.NaN;
  }

  private static double bytes(JsonObject r) {
    JsonObject secondary = r.getAsJsonObject("secondaryMetrics");
    JsonObject norm = secondary == null ? null : secondary.getAsJsonObject("gc.alloc.rate.norm");
    return norm == null ? Double.NaN : norm.get("score").getAsDouble();
  }

  private static String machineLine(JsonObject m) {
    return String.format(Locale.ROOT, "Run %s on %s cores (%s), %s; load average (1, 5, 15 min) at the start: %s.",
        m.get("date").getAsString(), m.get("cores").getAsString(), m.get("cpu").getAsString(),
        m.get("jdk").getAsString(), m.get("loadAverage").getAsString());
  }

  /**
   * A results file as it is: the machine line, then for each object its plain values as a line and each array of
   * objects (or object of objects) as a table, with nested objects flattened into dotted column names.
   */
  static String generic(JsonElement root) {
    StringBuilder sb = new StringBuilder();
    if (root.isJsonObject() && root.getAsJsonObject().has("machine")) {
      sb.append(machineLine(root.getAsJsonObject().getAsJsonObject("machine"))).append("\n\n");
    }
    walk("", root, sb);
    return sb.toString();
  }

  private static void walk(String path, JsonElement e, StringBuilder sb) {
    if (e.isJsonArray()) {
      List<Map.Entry<String, JsonObject>> rows = new ArrayList<>();
      for (JsonElement x : e.getAsJsonArray()) {
        if (!x.isJsonObject()) {
          sb.append("`").append(path).append("`: ").append(e).append("\n\n");
          return;
        }
        rows.add(Map.entry("", x.getAsJsonObject()));
      }
      table(path, rows, false, sb);
      return;
    }
    if (!e.isJsonObject()) {
      return;
    }
    JsonObject o = e.getAsJsonObject();
    List<String> plain = new ArrayList<>();
    List<Map.Entry<String, JsonObject>> objects = new ArrayList<>();
    for (Map.Entry<String, JsonElement> f : o.entrySet()) {
      if (f.getKey().equals("machine")) {
        continue;
      }
      if (f.getValue().isJsonPrimitive()) {
        plain.add(f.getKey() + " = " + f.getValue().getAsString());
      } else if (f.getValue().isJsonObject() && !hasTable(f.getValue().getAsJsonObject())) {
        objects.add(Map.entry(f.getKey(), f.getValue().getAsJsonObject()));
      }
    }
    if (!plain.isEmpty()) {
      sb.append(path.isEmpty() ? "" : "`" + path + "`: ").append(String.join(", ", plain)).append("\n\n");
    }
    if (!objects.isEmpty()) {
      table(path, objects, true, sb);
    }
    for (Map.Entry<String, JsonElement> f : o.entrySet()) {
      JsonElement v = f.getValue();
      if (!f.getKey().equals("machine") && (v.isJsonArray() || v.isJsonObject() && hasTable(v.getAsJsonObject()))) {
        walk(path.isEmpty() ? f.getKey() : path + "." + f.getKey(), v, sb);
      }
    }
  }

  private static boolean hasTable(JsonObject o) {
    return o.entrySet().stream().anyMatch(f -> f.getValue().isJsonArray());
  }

  private static void table(String path, List<Map.Entry<String, JsonObject>> rows, boolean labelled,
      StringBuilder sb) {
    List<Map<String, String>> flat = new ArrayList<>();
    Set<String> columns = new LinkedHashSet<>();
    for (Map.Entry<String, JsonObject> r : rows) {
      Map<String, String> cells = new LinkedHashMap<>();
      flatten("", r.getValue(), cells);
      columns.addAll(cells.keySet());
      flat.add(cells);
    }
    if (!path.isEmpty()) {
      sb.append("`").append(path).append("`:\n\n");
    }
    sb.append(labelled ? "| |" : "|");
    columns.forEach(c -> sb.append(' ').append(c).append(" |"));
    sb.append('\n').append(labelled ? "|---|" : "|");
    columns.forEach(c -> sb.append("---|"));
    sb.append('\n');
    for (int i = 0; i < rows.size(); i++) {
      sb.append(labelled ? "| " + rows.get(i).getKey() + " |" : "|");
      for (String c : columns) {
        sb.append(' ').append(flat.get(i).getOrDefault(c, "")).append(" |");
      }
      sb.append('\n');
    }
    sb.append('\n');
  }

  private static void flatten(String prefix, JsonObject o, Map<String, String> cells) {
    for (Map.Entry<String, JsonElement> f : o.entrySet()) {
      String name = prefix + f.getKey();
      JsonElement v = f.getValue();
      if (v.isJsonObject()) {
        flatten(name + ".", v.getAsJsonObject(), cells);
      } else if (v.isJsonPrimitive()) {
        cells.put(name, v.getAsString().replace("|", "\\|"));
      } else if (!v.isJsonNull()) {
        cells.put(name, v.toString().replace("|", "\\|"));
      }
    }
  }
}
