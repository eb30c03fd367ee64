package dev.portway.desktop.ui.inspector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.portway.desktop.engine.CapturedBody;
import dev.portway.shared.protocol.Header;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A captured body as a person reads it: pretty-printed JSON, text in its charset, or a hex dump for binary.
 * Pure functions; no toolkit.
 */
public final class BodyText {
    /** How a body is shown. */
    public enum Kind { NONE, JSON, TEXT, BINARY }

    /**
     * @param text the body to show (empty for {@link Kind#NONE})
     * @param note a line under the body: its size, and where it was cut; empty when there is nothing to say
     */
    public record Rendered(Kind kind, String text, String note) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BodyText() {
    }

    public static Rendered render(CapturedBody body, List<Header> headers) {
        if (body.size() == 0) {
            return new Rendered(Kind.NONE, "", "No body");
        }
        String note = note(body);
        if (body.bytes().length == 0) {
            return new Rendered(Kind.NONE, "", note);
        }
        String type = contentType(headers);
        Charset charset = charset(headers);
        String text = decode(body.bytes(), charset, body.truncated());
        if (text == null || looksBinary(text)) {
            return new Rendered(Kind.BINARY, hexDump(body.bytes()), note);
        }
        if (isJson(type) && !body.truncated()) {
            try {
                JsonNode tree = JSON.readTree(text);
                if (tree != null) {
                    return new Rendered(Kind.JSON, JSON.writeValueAsString(tree), note);
                }
            } catch (JsonProcessingException e) {
                // not valid JSON after all: show it as text
            }
        }
        return new Rendered(Kind.TEXT, text, note);
    }

    static String note(CapturedBody body) {
        if (body.truncated()) {
            if (body.bytes().length == 0) {
                return size(body.size()) + " — body not captured (capture is off)";
            }
            return "Truncated at " + size(body.bytes().length) + " of " + size(body.size());
        }
        return size(body.size());
    }

    static String size(long n) {
        if (n < 1024) {
            return n + (n == 1 ? " byte" : " bytes");
        }
        if (n < 1024 * 1024) {
            return n % 1024 == 0 ? n / 1024 + " KiB" : String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return n % (1024 * 1024) == 0 ? n / (1024 * 1024) + " MiB" : String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }

    static String contentType(List<Header> headers) {
        String v = Exchange.header(headers, "Content-Type");
        if (v == null) {
            return "";
        }
        int semi = v.indexOf(';');
        return (semi < 0 ? v : v.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    static boolean isJson(String type) {
        return type.equals("application/json") || type.endsWith("+json");
    }

    /** The charset named by Content-Type, UTF-8 when there is none or it is unknown. */
    static Charset charset(List<Header> headers) {
        String v = Exchange.header(headers, "Content-Type");
        if (v != null) {
            for (String part : v.split(";")) {
                String p = part.strip();
                if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                    String name = p.substring(8).replace("\"", "").strip();
                    try {
                        return Charset.forName(name);
                    } catch (RuntimeException e) {
                        return StandardCharsets.UTF_8;
                    }
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    /**
     * Strict decoding: null when the bytes are not text in {@code charset}. A truncated body may end inside a
     * multi-byte character; up to three bytes at the end are then left out.
     */
    static String decode(byte[] bytes, Charset charset, boolean truncated) {
        for (int cut = 0; cut <= (truncated ? Math.min(3, bytes.length) : 0); cut++) {
            try {
                return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, bytes.length - cut)).toString();
            } catch (CharacterCodingException e) {
                // try one byte shorter
            }
        }
        return null;
    }

    /** Text with control characters other than tab, CR, LF and form feed is binary to a person. */
    static boolean looksBinary(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** 16 bytes a line: offset, hex bytes, and the printable ASCII ones. */
    public static String hexDump(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length / 16 * 78 + 78);
        for (int line = 0; line < bytes.length; line += 16) {
            out.append(String.format(Locale.ROOT, "%08x  ", line));
            StringBuilder ascii = new StringBuilder(16);
            for (int i = 0; i < 16; i++) {
                if (line + i < bytes.length) {
                    int b = bytes[line + i] & 0xff;
                    out.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16)).append(' ');
                    ascii.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
                } else {
                    out.append("   ");
                }
                if (i == 7) {
                    out.append(' ');
                }
            }
            out.append(' ').append(ascii).append('\n');
        }
        return out.toString();
    }
}
