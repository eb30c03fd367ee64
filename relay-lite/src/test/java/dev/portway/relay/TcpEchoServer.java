package dev.portway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Echoes every connection after a prefix; closes its side once the visitor half-closed and all was echoed. */
final class TcpEchoServer implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final byte[] prefix;

    TcpEchoServer(String prefix) throws IOException {
        this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("echo-" + server.getLocalPort()).start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofPlatform().daemon().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            OutputStream out = s.getOutputStream();
            out.write(prefix);
            byte[] buf = new byte[64 * 1024];
            InputStream in = s.getInputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
            out.flush();
        } catch (IOException ignored) {
            // the visitor went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
