package dev.llmauth.api.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads strict JSON (RFC 8259), or JSONC: the same plus {@code //} and {@code /* *}{@code /} comments and
 * trailing commas. Duplicate keys, text after the root value and nesting deeper than {@value #MAX_DEPTH} are
 * errors. Messages give the line and column and never quote the input.
 */
final class StrictJson {
  static final int MAX_DEPTH = 100;

  private static final Pattern PATH = Pattern.compile(" path .*", Pattern.DOTALL);
  private static final String LENIENT_HINT = "Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON";

  private StrictJson() {}

  /** The input is not valid; the message says where and what, without quoting the input. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  /**
   * Parses one JSON value.
   *
   * @param text the text
   * @param jsonc whether comments and trailing commas are allowed
   * @return the value; numbers are {@link BigDecimal}s
   * @throws Malformed when the text is not one valid value
   */
  static JsonElement parse(String text, boolean jsonc) throws Malformed {
    try (JsonReader reader = new JsonReader(new StringReader(jsonc ? blankCommentsAndTrailingCommas(text) : text))) {
      reader.setStrictness(Strictness.STRICT);
      reader.setNestingLimit(MAX_DEPTH);
      JsonElement value = read(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new Malformed("unexpected text after the JSON value " + where(reader));
      }
      return value;
    } catch (EOFException e) {
      throw new Malformed("the JSON ends too early (" + describe(e.getMessage()) + ")");
    } catch (IOException e) {
      throw new Malformed(describe(e.getMessage()));
    }
  }

  private static JsonElement read(JsonReader reader) throws IOException, Malformed {
    switch (reader.peek()) {
      case BEGIN_OBJECT -> {
        JsonObject object = new JsonObject();
        reader.beginObject();
        while (reader.hasNext()) {
          String name = reader.nextName();
          if (object.has(name)) {
            throw new Malformed("duplicate key \"" + name + "\" " + where(reader) + "; keep only one");
          }
          object.add(name, read(reader));
        }
        reader.endObject();
        return object;
      }
      case BEGIN_ARRAY -> {
        JsonArray array = new JsonArray();
        reader.beginArray();
        while (reader.hasNext()) {
          array.add(read(reader));
        }
        reader.endArray();
        return array;
      }
      case STRING -> {
        return new JsonPrimitive(reader.nextString());
      }
      case NUMBER -> {
        String number = reader.nextString();
        try {
          return new JsonPrimitive(new BigDecimal(number));
        } catch (NumberFormatException e) {
          throw new Malformed("number out of range " + where(reader));
        }
      }
      case BOOLEAN -> {
        return new JsonPrimitive(reader.nextBoolean());
      }
      case NULL -> {
        reader.nextNull();
        return JsonNull.INSTANCE;
      }
      default -> throw new Malformed("expected a value " + where(reader));
    }
  }

  /** "at line 3 column 7", from Gson's location. */
  private static String where(JsonReader reader) {
    return withoutPath(reader.toString().replaceFirst("^JsonReader ", ""));
  }

  /**
   * Gson's message without its JSON path, which names the keys read so far: in broken text a key may be a
   * secret that lost its quotes or colon.
   */
  private static String describe(@Nullable String gsonMessage) {
    String m = gsonMessage == null ? "invalid JSON" : gsonMessage;
    return withoutPath(m).replace(LENIENT_HINT, "not valid JSON (names and strings need double quotes; no NaN, "
        + "leading zeros, unquoted words or second value)");
  }

  private static String withoutPath(String message) {
    return PATH.matcher(message).replaceFirst("");
  }

  /**
   * Replaces comments and trailing commas by spaces outside strings, keeping line breaks, so that line and column
   * numbers stay those of the original text.
   */
  static String blankCommentsAndTrailingCommas(String text) throws Malformed {
    char[] c = text.toCharArray();
    int pendingComma = -1;
    char lastSignificant = 0;
    for (int i = 0; i < c.length; i++) {
      char ch = c[i];
      if (ch == '"') {
        i = endOfString(c, i);
        pendingComma = -1;
        lastSignificant = '"';
      } else if (ch == '/' && i + 1 < c.length && c[i + 1] == '/') {
        while (i < c.length && c[i] != '\n' && c[i] != '\r') {
          c[i++] = ' ';
        }
      } else if (ch == '/' && i + 1 < c.length && c[i + 1] == '*') {
        int start = i;
        c[i++] = ' ';
        c[i++] = ' ';
        while (i < c.length && !(c[i] == '*' && i + 1 < c.length && c[i + 1] == '/')) {
          blank(c, i++);
        }
        if (i >= c.length) {
          throw new Malformed("unterminated /* comment " + position(text, start) + "; close it with */");
        }
        c[i++] = ' ';
        c[i] = ' ';
      } else if (ch == ',') {
        boolean afterValue = lastSignificant != 0 && lastSignificant != ',' && lastSignificant != '['
            && lastSignificant != '{' && lastSignificant != ':';
        pendingComma = afterValue ? i : -1;
        lastSignificant = ',';
      } else if (!Character.isWhitespace(ch)) {
        if ((ch == '}' || ch == ']') && pendingComma >= 0) {
          c[pendingComma] = ' ';
        }
        pendingComma = -1;
        lastSignificant = ch;
      }
    }
    return new String(c);
  }

  /** @return the index of the closing quote, or the last index when the string is unterminated */
  private static int endOfString(char[] c, int open) {
    int i = open + 1;
    while (i < c.length && c[i] != '"') {
      i += c[i] == '\\' ? 2 : 1;
    }
    return Math.min(i, c.length - 1);
  }

  private static void blank(char[] c, int i) {
    if (c[i] != '\n' && c[i] != '\r') {
      c[i] = ' ';
    }
  }

  private static String position(String text, int index) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < index; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return "at line " + line + " column " + (index - lineStart + 1);
  }
}
