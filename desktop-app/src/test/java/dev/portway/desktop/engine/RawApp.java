package dev.portway.desktop.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local app on a raw socket that records every request exactly as the bytes came (head and body), then answers
 * {@link #status} with keep-alive, or — with {@link #hangUp} — closes the connection without answering.
 */
final class RawApp implements AutoCloseable {
    final List<byte[]> received = new CopyOnWriteArrayList<>();
    volatile int status = 200;
    volatile boolean hangUp;
    private final ServerSocket server;

    RawApp() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("raw-app-accept").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().name("raw-app-conn").start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            while (true) {
                ByteArrayOutputStream request = new ByteArrayOutputStream();
                int length = 0;
                StringBuilder line = new StringBuilder();
                boolean any = false;
                for (int c; ; ) {
                    c = in.read();
                    if (c == -1) {
                        if (any) {
                            received.add(request.toByteArray());
                        }
                        return;
                    }
                    any = true;
                    request.write(c);
                    if (c == '\n') {
                        String l = line.toString();
                        if (l.isEmpty()) {
                            break;
                        }
                        if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                            length = Integer.parseInt(l.substring(15).trim());
                        }
                        line.setLength(0);
                    } else if (c != '\r') {
                        line.append((char) c);
                    }
                }
                request.writeBytes(in.readNBytes(length));
                received.add(request.toByteArray());
                if (hangUp) {
                    return;
                }
                s.getOutputStream().write(("HTTP/1.1 " + status + " Answer\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** Every request received, as ISO-8859-1 text (one char per byte). */
    List<String> texts() {
        return received.stream().map(b -> new String(b, StandardCharsets.ISO_8859_1)).toList();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
