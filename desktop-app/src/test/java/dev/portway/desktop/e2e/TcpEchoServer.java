package dev.portway.desktop.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP service: echoes every byte; when the peer half-closes, it writes {@code bye:<count>}
 * and then closes its own side — so a test can prove half-close works both ways.
 */
final class TcpEchoServer implements AutoCloseable {
    private final ServerSocket server;
    final AtomicInteger connections = new AtomicInteger();

    TcpEchoServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("tcp-echo-accept").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                Thread.ofVirtual().name("tcp-echo").start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[16 * 1024];
            long count = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                out.flush();
                count += n;
            }
            out.write(("bye:" + count).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.shutdownOutput();
        } catch (IOException ignored) {
            // the visitor went away; nothing to report in a test fixture
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
