package io.webrtcgw.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Collectors;

/** Reads a {@link GatewayConfig} from a JSON or YAML file, rejecting unknown keys and bad values. */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static GatewayConfig load(Path file) throws ConfigException {
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    boolean yaml = name.toLowerCase(Locale.ROOT).matches(".*\\.ya?ml$");
    ObjectMapper mapper = (yaml ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    try {
      GatewayConfig config = mapper.readValue(bytes, GatewayConfig.class);
      if (config == null) {
        throw new ConfigException(file + ": the file is empty");
      }
      return config;
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          file + ": unknown key '" + path(e) + "' (known here: "
              + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "))
              + ")");
    } catch (JsonMappingException e) {
      throw new ConfigException(file + ": " + (path(e).isEmpty() ? "" : "key '" + path(e) + "': ") + reason(e));
    } catch (JsonProcessingException e) {
      throw new ConfigException(file + ": not valid " + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  /** The validation message of a record constructor, or Jackson's own reason, on one line. */
  private static String reason(JsonMappingException e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause instanceof IllegalArgumentException && cause.getMessage() != null
        ? cause.getMessage()
        : e.getOriginalMessage();
    return message.replaceAll("\\s+", " ").trim();
  }
}
