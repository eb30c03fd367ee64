package dev.portway.desktop.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy whose connections a test can make half-open: after {@link #stall()} the connections open
 * at that moment stop forwarding in both directions but stay open — what a dead NAT entry or a pulled
 * cable looks like to both ends (no FIN, no RST; writes still succeed into the socket buffers). New
 * connections are forwarded normally.
 */
final class HalfOpenProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();

    /** One proxied connection: both sockets and whether it still forwards. */
    private static final class Link {
        final Socket a;
        final Socket b;
        volatile boolean stalled;

        Link(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }
    }

    HalfOpenProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("half-open-proxy-accept").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Stops forwarding on every connection open now, without closing any. */
    void stall() {
        links.forEach(l -> l.stalled = true);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                Link link = new Link(in, out);
                links.add(link);
                Thread.ofVirtual().start(() -> pump(link, in, out));
                Thread.ofVirtual().start(() -> pump(link, out, in));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Link link, Socket from, Socket to) {
        byte[] buf = new byte[32 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                if (link.stalled) {
                    continue; // swallow: the bytes are lost in the dead network, and nobody is told
                }
                out.write(buf, 0, n);
            }
        } catch (IOException ignored) {
            // closed
        } finally {
            if (!link.stalled) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Link l : links) {
            closeQuietly(l.a);
            closeQuietly(l.b);
        }
    }
}
