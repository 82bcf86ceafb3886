package io.agora.token.client;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gRPC service config that all the clients share ({@code
 * clients/service_config.json}): the retry policy and the default deadline.
 * The build packs a copy into the jar next to this class; it is read once.
 */
final class SharedServiceConfig {
  static final String RESOURCE = "service_config.json";

  /** The parsed file, numbers as Double, as grpc-java's service config wants them. */
  static final Map<String, ?> CONFIG = load();

  /** The default deadline of each call, retries included: the file's "timeout". */
  static final Duration DEFAULT_TIMEOUT = parseDuration(firstMethodConfig(CONFIG).get("timeout"));

  private SharedServiceConfig() {}

  /**
   * The config without its "timeout": each call sets its own deadline, as every
   * client of this service does, so the default and a per-call override behave
   * the same way.
   */
  static Map<String, ?> withoutTimeout() {
    Map<String, Object> copy = new LinkedHashMap<>(CONFIG);
    List<Object> methods = new ArrayList<>();
    for (Object method : (List<?>) CONFIG.get("methodConfig")) {
      Map<String, Object> trimmed = new LinkedHashMap<>();
      ((Map<?, ?>) method).forEach((key, value) -> trimmed.put((String) key, value));
      trimmed.remove("timeout");
      methods.add(trimmed);
    }
    copy.put("methodConfig", methods);
    return copy;
  }

  private static Map<String, ?> load() {
    try (InputStream in = SharedServiceConfig.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("agora-token client: " + RESOURCE + " is not on the "
            + "classpath next to " + SharedServiceConfig.class.getName()
            + "; build the jar with clients/java/build.sh (or Maven), which packs it");
      }
      Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
      Map<String, Object> config =
          new Gson().fromJson(reader, new TypeToken<Map<String, Object>>() {}.getType());
      firstMethodConfig(config);  // fails early on a malformed file
      return config;
    } catch (IOException e) {
      throw new UncheckedIOException("agora-token client: reading " + RESOURCE, e);
    } catch (JsonParseException e) {
      throw new IllegalStateException("agora-token client: " + RESOURCE + " is not JSON", e);
    }
  }

  private static Map<?, ?> firstMethodConfig(Map<String, ?> config) {
    Object methods = config == null ? null : config.get("methodConfig");
    if (!(methods instanceof List) || ((List<?>) methods).isEmpty()
        || !(((List<?>) methods).get(0) instanceof Map)) {
      throw new IllegalStateException("agora-token client: " + RESOURCE + " has no methodConfig");
    }
    return (Map<?, ?>) ((List<?>) methods).get(0);
  }

  /** A service config duration ("5s", "0.1s"). */
  private static Duration parseDuration(Object value) {
    if (!(value instanceof String) || !((String) value).endsWith("s")) {
      throw new IllegalStateException(
          "agora-token client: " + RESOURCE + ": timeout " + value + " is not a duration such as \"5s\"");
    }
    String seconds = ((String) value).substring(0, ((String) value).length() - 1);
    BigDecimal nanos = new BigDecimal(seconds).movePointRight(9);
    return Duration.ofNanos(nanos.longValueExact());
  }
}
