package dev.portway.shared.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The one JSON mapping of the protocol: snake_case names, nulls left out, unknown fields ignored
 * (so a newer peer may add optional fields without a version bump).
 */
public final class Json {
    /** Largest JSON payload accepted; the frame limit already bounds it, this names the rule. */
    public static final int MAX_JSON = FrameCodec.MAX_PAYLOAD;

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private Json() {
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /** Parses a frame payload; any malformed or mistyped JSON becomes a {@link ProtocolException}. */
    public static <T> T read(ByteBuffer payload, Class<T> type) throws ProtocolException {
        ByteBuffer b = payload.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        try {
            T value = MAPPER.readValue(bytes, type);
            if (value == null) {
                throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "empty " + type.getSimpleName());
            }
            return value;
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR,
                    "malformed " + type.getSimpleName() + ": " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
