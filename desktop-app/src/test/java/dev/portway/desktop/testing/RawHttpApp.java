package dev.portway.desktop.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local app on a raw loopback socket that records the exact bytes of every request it gets (head and body, chunked
 * framing included) and answers with whatever its {@link Responder} writes. Keep-alive: it reads request after request
 * on a connection until the responder says stop or the peer closes.
 */
public final class RawHttpApp implements AutoCloseable {
    /** One request as it arrived on the wire. */
    public record Received(int connection, byte[] head, byte[] body) {
        /** The head as ISO-8859-1 text: one char per byte, nothing decoded. */
        public String headText() {
            return new String(head, StandardCharsets.ISO_8859_1);
        }

        public String requestLine() {
            String h = headText();
            return h.substring(0, h.indexOf("\r\n"));
        }

        /** Header names in order, as sent. */
        public List<String> headerNames() {
            List<String> out = new ArrayList<>();
            for (String line : headText().split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.startsWith(requestLine())) {
                    out.add(line.substring(0, colon));
                }
            }
            return out;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    /** Writes the answer to {@code request}; returns false to close the connection afterwards. */
    public interface Responder {
        boolean respond(Received request, OutputStream out) throws IOException;
    }

    /** {@code 200 OK} with body {@code ok}, keep-alive. */
    public static final Responder OK = (r, out) -> {
        out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
        return true;
    };

    private final ServerSocket server;
    private final Responder responder;
    public final List<Received> received = new CopyOnWriteArrayList<>();
    public final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    public RawHttpApp(Responder responder) throws IOException {
        this.responder = responder;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("raw-http-app").start(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                int n = connections.incrementAndGet();
                open.add(s);
                Thread.ofVirtual().name("raw-http-app-" + n).start(() -> serve(s, n));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int connection) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                byte[] head = readHead(in);
                if (head == null) {
                    return;
                }
                Received r = new Received(connection, head, readBody(in, new String(head, StandardCharsets.ISO_8859_1)));
                received.add(r);
                boolean more = responder.respond(r, out);
                out.flush();
                if (!more) {
                    return;
                }
            }
        } catch (IOException e) {
            // the peer went away
        }
    }

    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            b.write(c);
            state = c == '\r' ? (state == 2 ? 3 : 1) : c == '\n' ? (state == 1 || state == 3 ? state + 1 : 0) : 0;
        }
        return b.toByteArray();
    }

    private static byte[] readBody(InputStream in, String head) throws IOException {
        String lower = head.toLowerCase(Locale.ROOT);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (lower.contains("\r\ntransfer-encoding: chunked")) {
            while (true) {
                String sizeLine = readLine(in, b);
                int size = Integer.parseInt(sizeLine.trim(), 16);
                if (size == 0) {
                    readLine(in, b); // the empty line after the last chunk (no trailers sent here)
                    return b.toByteArray();
                }
                b.write(in.readNBytes(size));
                readLine(in, b);
            }
        }
        int i = lower.indexOf("\r\ncontent-length:");
        if (i >= 0) {
            int end = lower.indexOf("\r\n", i + 2);
            int length = Integer.parseInt(lower.substring(i + 17, end).trim());
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new EOFException();
            }
            return body;
        }
        return new byte[0];
    }

    /** Reads one CRLF-terminated line, copying it (with its CRLF) into {@code raw}. */
    private static String readLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException();
            }
            raw.write(c);
            if (c != '\r') {
                line.append((char) c);
            }
        }
        raw.write('\n');
        return line.toString();
    }

    /** Closes every connection the app has open, as an app restarting would. */
    public void dropConnections() {
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropConnections();
    }
}
