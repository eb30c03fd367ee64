package dev.portway.shared.protocol;

import com.fasterxml.jackson.annotation.JsonFormat;

import java.util.Objects;

/** One HTTP header field; on the wire a two-element JSON array {@code ["Name", "value"]}. Order and repeats are kept. */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
public record Header(String name, String value) {
    public Header {
        Objects.requireNonNull(name, "header name");
        Objects.requireNonNull(value, "header value");
    }
}
