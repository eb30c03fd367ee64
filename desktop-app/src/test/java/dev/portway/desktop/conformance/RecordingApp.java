package dev.portway.desktop.conformance;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local app on a raw socket that answers every request with exactly the bytes it received (head and body, chunked
 * framing included), so any rewriting on the way is visible. Keep-alive and pipelining as HTTP/1.1 says. Two paths
 * behave differently: {@code /die} starts a 100,000-byte answer and closes after 50,000 bytes; {@code /sse?id=X}
 * sends 5 server-sent events 200 ms apart and records when it wrote each.
 */
final class RecordingApp implements AutoCloseable {
    static final int DIE_TOTAL = 100_000;
    static final int DIE_AFTER = 50_000;

    private final ServerSocket server;
    /** One thread per connection, as a simple blocking app has; named, and stopped on close. */
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("recording-app-", 0).factory());
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();
    final List<byte[]> received = new CopyOnWriteArrayList<>();
    /** SSE id → System.nanoTime() at which each event was written. */
    final Map<String, List<Long>> sseSent = new ConcurrentHashMap<>();

    RecordingApp() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                open.add(s);
                threads.submit(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            while (true) {
                byte[] headBytes = HttpMessage.readHead(in);
                if (headBytes == null) {
                    return;
                }
                HttpMessage head = HttpMessage.parseHead(headBytes, new byte[0]);
                String expect = head.header("Expect");
                if (expect != null && expect.equalsIgnoreCase("100-continue")) {
                    out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                raw.write(headBytes);
                if (head.isChunked()) {
                    HttpMessage.readChunked(in, raw);
                } else if (head.header("Content-Length") != null) {
                    raw.write(in.readNBytes(Integer.parseInt(head.header("Content-Length").strip())));
                }
                byte[] request = raw.toByteArray();
                received.add(request);
                String[] line = head.startLine().split(" ");
                String target = line.length > 1 ? line[1] : "";
                if (target.startsWith("/die")) {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + DIE_TOTAL
                            + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(pattern(DIE_AFTER));
                    out.flush();
                    return;   // the app "dies": its socket closes half-way through the promised body
                }
                if (target.startsWith("/sse")) {
                    sse(out, target);
                    continue;
                }
                boolean head10 = line.length > 2 && line[2].equals("HTTP/1.0");
                String connection = String.valueOf(head.header("Connection")).toLowerCase(Locale.ROOT);
                boolean close = connection.contains("close") || (head10 && !connection.contains("keep-alive"));
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nX-Recorded: yes\r\nContent-Length: "
                        + request.length + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                if (!line[0].equals("HEAD")) {
                    out.write(request);
                }
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the peer went away or sent something this app cannot parse: the connection ends, as with a real app
        } finally {
            open.remove(s);
        }
    }

    private void sse(OutputStream out, String target) throws IOException {
        String id = target.contains("id=") ? target.substring(target.indexOf("id=") + 3) : "";
        List<Long> sent = sseSent.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
        out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        for (int i = 1; i <= 5; i++) {
            byte[] event = ("data: event " + i + "\n\n").getBytes(StandardCharsets.UTF_8);
            sent.add(System.nanoTime());
            out.write((Integer.toHexString(event.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(event);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            try {
                Thread.sleep(200);   // the app's own pace between events, not a wait in the test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Bytes 0,1,2… (mod 251), so a shifted or truncated copy shows. */
    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 251);
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            try {
                s.close();
            } catch (SocketException ignored) {
                // already closed
            }
        }
        threads.shutdownNow();
    }
}
