package dev.portway.desktop.engine.share;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A request target turned into the path segments of a file below a shared folder, or refused. Refused with 400 (a
 * request no browser makes for a real file): {@code ..}, encoded or not; {@code %2f}, {@code %5c} and backslashes;
 * NUL and other control characters; {@code :} (drive letters, alternate data streams); bad percent-encoding or UTF-8;
 * what is still percent-encoded after one decoding (double encoding). Refused with 404: Windows device names
 * ({@code CON}, {@code NUL}, {@code COM1}…, with any extension) and names ending in a dot or space (Windows drops
 * them, so they would name another file), and hidden names, those starting with a dot ({@code .git}, {@code .env},
 * {@code .ssh}: a shared project folder must not publish them), except {@code .well-known}. Symlinks are checked
 * later, on the real path. Stateless.
 */
final class SharePath {
    /** A refused target: the status and a short reason for the page and the log. */
    record Refusal(int status, String reason) {
    }

    /** The decoded segments (never empty strings, never {@code .} or {@code ..}), and whether the path ended in '/'. */
    record Parsed(List<String> segments, boolean trailingSlash) {
    }

    private static final Set<String> DEVICES = Set.of("con", "prn", "aux", "nul", "conin$", "conout$",
            "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "com¹", "com²", "com³",
            "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9", "lpt¹", "lpt²", "lpt³");

    private SharePath() {
    }

    /** @return {@link Parsed} or {@link Refusal} */
    static Object parse(String target) {
        int q = target.indexOf('?');
        String raw = q < 0 ? target : target.substring(0, q);
        int hash = raw.indexOf('#');
        if (hash >= 0) {
            raw = raw.substring(0, hash);
        }
        if (!raw.startsWith("/")) {
            return new Refusal(400, "the path must start with /");
        }
        List<String> segments = new ArrayList<>();
        for (String rawSegment : raw.substring(1).split("/", -1)) {
            if (rawSegment.isEmpty()) {
                continue;
            }
            String s = decode(rawSegment);
            if (s == null) {
                return new Refusal(400, "bad percent-encoding or UTF-8 in the path");
            }
            String why = problem(s);
            if (why != null) {
                return new Refusal(why.startsWith("404") ? 404 : 400, why.substring(4));
            }
            if (!s.equals(".")) {
                segments.add(s);
            }
        }
        return new Parsed(List.copyOf(segments), raw.endsWith("/"));
    }

    /** A dot file or folder, never served nor listed ({@code .well-known} is: it is meant to be public). */
    static boolean hidden(String name) {
        return name.startsWith(".") && !name.equals(".") && !name.equals(".well-known");
    }

    /** Why one decoded segment is refused ("400 …" or "404 …"), or null. */
    private static String problem(String s) {
        if (s.equals("..")) {
            return "400 .. in the path";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "400 a control character in the path";
            }
            if (c == '/' || c == '\\') {
                return "400 an encoded slash or a backslash in the path";
            }
            if (c == ':') {
                return "400 ':' in the path";
            }
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) && hex(s.charAt(i + 2))) {
                return "400 a double-encoded path";
            }
        }
        String base = s.toLowerCase(Locale.ROOT);
        int dot = base.indexOf('.');
        if (DEVICES.contains((dot < 0 ? base : base.substring(0, dot)).strip())) {
            return "404 a Windows device name";
        }
        if (!s.equals(".") && (s.endsWith(".") || s.endsWith(" "))) {
            return "404 a name ending in a dot or space";
        }
        if (hidden(s)) {
            return "404 a hidden name";
        }
        return null;
    }

    private static boolean hex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    /** Percent-decodes one segment as UTF-8; null when the encoding or the UTF-8 is bad. */
    static String decode(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || !hex(s.charAt(i + 1)) || !hex(s.charAt(i + 2))) {
                    return null;
                }
                bytes.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else if (c > 0xff) {
                return null;
            } else {
                bytes.write(c); // the target carries one char per byte (PROTOCOL.md §6.1): raw UTF-8 stays UTF-8
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** A file name as a path segment in a link: everything but unreserved characters percent-encoded (UTF-8). */
    static String encode(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }
}
