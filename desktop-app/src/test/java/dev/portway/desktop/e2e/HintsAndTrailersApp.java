package dev.portway.desktop.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local HTTP/1.1 app on a raw socket, for what the JDK's server cannot send: interim answers (103 Early Hints) before
 * the final one, and chunked responses with a trailer section. It reads chunked request bodies with their trailers and
 * records every request's bytes exactly as they came. Paths: {@code /hints/<n>} sends n 103s then 200 "hinted";
 * {@code /trailers} a chunked body with trailers (two a proxy must drop among them); anything else 200 "ok".
 */
final class HintsAndTrailersApp implements AutoCloseable {
    final List<String> received = new CopyOnWriteArrayList<>();
    private final ServerSocket server;

    HintsAndTrailersApp() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("hints-app-accept").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().name("hints-app-conn").start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                String requestLine = line(in, raw);
                if (requestLine == null) {
                    return;
                }
                boolean chunked = false;
                int length = 0;
                for (String h; (h = line(in, raw)) != null && !h.isEmpty(); ) {
                    String lower = h.toLowerCase(Locale.ROOT);
                    chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
                    if (lower.startsWith("content-length:")) {
                        length = Integer.parseInt(h.substring(15).trim());
                    }
                }
                if (chunked) {
                    while (true) {
                        int size = Integer.parseInt(line(in, raw).trim(), 16);
                        if (size == 0) {
                            for (String t; (t = line(in, raw)) != null && !t.isEmpty(); ) {
                                // trailer fields: recorded in raw
                            }
                            break;
                        }
                        raw.write(in.readNBytes(size));
                        line(in, raw);
                    }
                } else {
                    raw.write(in.readNBytes(length));
                }
                received.add(raw.toString(StandardCharsets.ISO_8859_1));
                String path = requestLine.split(" ")[1];
                out.write(answer(path).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the visitor side went away: nothing to answer
        }
    }

    private static String answer(String path) {
        if (path.startsWith("/hints/")) {
            int n = Integer.parseInt(path.substring("/hints/".length()));
            String hints = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n".repeat(n);
            return hints + "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhinted";
        }
        if (path.startsWith("/trailers")) {
            return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTrailer: X-Checksum\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc123\r\nContent-Length: 99\r\nSet-Cookie: stolen=1\r\n\r\n";
        }
        return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    }

    /** One CRLF-terminated line, without it (recorded in {@code raw} with it); null at the end of the stream. */
    private static String line(InputStream in, ByteArrayOutputStream raw) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            raw.write(c);
            if (c == '\n') {
                int n = b.length();
                return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
            }
            b.append((char) c);
        }
        return b.isEmpty() ? null : b.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
