package dev.portway.desktop.conformance;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One HTTP/1.x message as it was on the wire: start line, headers in order (repeats kept) and the decoded body. */
record HttpMessage(String startLine, List<Header> headers, byte[] body) {
    /** Longest head the suite reads (the relay's own limit is 16 KiB of headers plus an 8 KiB line). */
    static final int MAX_HEAD = 64 * 1024;

    record Header(String name, String value) {
    }

    /** Parses a head (start line and header lines, CRLF or LF separated, with or without the blank line). */
    static HttpMessage parseHead(byte[] head, byte[] body) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n");
        List<Header> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                break;
            }
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("Not a header line: " + lines[i]);
            }
            headers.add(new Header(lines[i].substring(0, colon), lines[i].substring(colon + 1).strip()));
        }
        return new HttpMessage(lines[0], List.copyOf(headers), body);
    }

    /** Parses a whole request or response as received: head, then the body; a chunked body is decoded. */
    static HttpMessage parse(byte[] raw) {
        try {
            InputStream in = new ByteArrayInputStream(raw);
            byte[] head = readHead(in);
            if (head == null) {
                throw new IllegalArgumentException("No HTTP head in " + raw.length + " bytes");
            }
            HttpMessage m = parseHead(head, new byte[0]);
            byte[] rest = in.readAllBytes();
            if (m.isChunked()) {
                rest = readChunked(new ByteArrayInputStream(rest), null);
            }
            return new HttpMessage(m.startLine, m.headers, rest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String header(String name) {
        return headers.stream().filter(h -> h.name.equalsIgnoreCase(name)).map(Header::value).findFirst().orElse(null);
    }

    boolean isChunked() {
        String te = header("Transfer-Encoding");
        return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
    }

    /** The status code of a response. */
    int status() {
        return Integer.parseInt(startLine.split(" ", 3)[1]);
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Reads up to and including the blank line after the headers; null at a clean end of stream before any byte. */
    static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last = -1;
        int beforeLast = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("Connection ended inside a head after " + head.size() + " bytes: " + head);
            }
            head.write(b);
            if (head.size() > MAX_HEAD) {
                throw new IOException("Head longer than " + MAX_HEAD + " bytes");
            }
            // the head ends at an empty line: LF LF, or LF CR LF
            if (b == '\n' && (last == '\n' || (last == '\r' && beforeLast == '\n'))) {
                break;
            }
            beforeLast = last;
            last = b;
        }
        return head.toByteArray();
    }

    /** Decodes a chunked body (and skips its trailers); the raw framing is also copied to {@code raw} when given. */
    static byte[] readChunked(InputStream in, ByteArrayOutputStream raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in, raw);
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip(), 16);
            if (size == 0) {
                while (!readLine(in, raw).isEmpty()) {
                    // trailer fields: not compared
                }
                return out.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length < size) {
                throw new IOException("Chunked body ended inside a chunk");
            }
            out.write(chunk);
            if (raw != null) {
                raw.write(chunk);
            }
            readLine(in, raw);
        }
    }

    private static String readLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("Chunked body ended before its last chunk");
            }
            if (raw != null) {
                raw.write(b);
            }
            if (b == '\n') {
                int len = line.length();
                return len > 0 && line.charAt(len - 1) == '\r' ? line.substring(0, len - 1) : line.toString();
            }
            line.append((char) b);
        }
    }
}
