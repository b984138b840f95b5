package io.gpuhot.support;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one JSON configuration of the project: lenient on input (the Python original writes bare
 * {@code NaN} tokens), strict and compact on output.
 */
public final class Json {
  /** Deepest nesting accepted from the wire; real node messages nest four levels. */
  static final int MAX_NESTING = 64;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_NESTING)
                  .maxNumberLength(64)
                  .maxStringLength(1 << 20)
                  .build())
          .build();

  /** Shared mapper; thread-safe once configured. */
  public static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

  private Json() {}

  public static JsonFactory factory() {
    return FACTORY;
  }

  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }
}
