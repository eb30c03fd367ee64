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
 * A TCP proxy between the engine and the relay that a test can break in two ways:
 * {@link #dropAll()} closes every proxied connection at once (a reset network), and {@link #freeze()}
 * stops forwarding bytes without closing anything (a half-open network: a sleeping laptop, a dead NAT
 * entry) until {@link #heal()}; {@link #blackholeExisting()} strands only the connections open now,
 * for good, while new ones flow (a Wi-Fi switch that leaves the old TCP connection dangling).
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Socket> blackholed = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean frozen; // guarded by gate
    private final java.util.concurrent.atomic.AtomicLong forwarded = new java.util.concurrent.atomic.AtomicLong();

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("proxy-accept").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                open.add(in);
                open.add(out);
                Thread.ofVirtual().start(() -> pump(in, out));
                Thread.ofVirtual().start(() -> pump(out, in));
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[32 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                awaitThawed(from);
                out.write(buf, 0, n);
                forwarded.addAndGet(n);
            }
        } catch (IOException | InterruptedException ignored) {
            // cut or closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private void awaitThawed(Socket from) throws InterruptedException {
        synchronized (gate) {
            while (frozen || blackholed.contains(from)) {
                gate.wait();
            }
        }
    }

    /** Bytes passed on so far, both ways, over every connection: what the WebSocket cost on the wire. */
    long forwarded() {
        return forwarded.get();
    }

    /** Cuts every connection through the proxy. */
    void dropAll() {
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    /** From now on, bytes are held back; no connection is closed. */
    void freeze() {
        synchronized (gate) {
            frozen = true;
        }
    }

    /** The connections open now stop forwarding for good (nothing is closed); new connections work. */
    void blackholeExisting() {
        synchronized (gate) {
            blackholed.addAll(open);
        }
    }

    /** Lets bytes flow again. */
    void heal() {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
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
        synchronized (gate) {
            blackholed.clear();
        }
        heal();
        server.close();
        dropAll();
    }
}
