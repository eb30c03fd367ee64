package dev.portway.relay;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The engine's TCP side, small, for relay tests: binds one TCP tunnel (with options, e.g. private=true) and
 * carries every stream the relay opens to a local port over a real socket, giving credit back as it writes.
 */
final class TcpTestEngine implements AutoCloseable {
    private final ProtocolTestClient client;
    private final int targetPort;
    private final Map<Integer, Socket> sockets = new ConcurrentHashMap<>();
    private final Thread pump;
    final ControlMessage.Bound bound;
    private volatile boolean closed;

    /** Every stream the relay opened, in order. */
    final java.util.List<OpenMessage> opens = new java.util.concurrent.CopyOnWriteArrayList<>();

    TcpTestEngine(Relay relay, String token, String name, Map<String, String> options, int targetPort) {
        this(ProtocolTestClient.connect(relay, token, null),
                new ControlMessage.Bind("1", Protocol.KIND_TCP, name, null, options), targetPort);
    }

    /** The relay's receive windows (its welcome): what this engine may send before the relay grants more. */
    private final long streamWindow;
    private long sessionCredit;
    private final Map<Integer, long[]> credit = new ConcurrentHashMap<>();

    /**
     * Binds {@code bind} on {@code client}, whose welcome has not been read yet (e.g. one of an HA client's sessions,
     * with a port); sends no more than the relay's windows allow.
     */
    TcpTestEngine(ProtocolTestClient client, ControlMessage.Bind bind, int targetPort) {
        this(client, client.control(ControlMessage.Welcome.class), bind, targetPort);
    }

    private TcpTestEngine(ProtocolTestClient client, ControlMessage.Welcome welcome, ControlMessage.Bind bind, int targetPort) {
        this.targetPort = targetPort;
        this.client = client;
        this.streamWindow = welcome.streamWindow();
        this.sessionCredit = welcome.sessionWindow();
        client.send(Frame.control(bind));
        bound = client.control(ControlMessage.Bound.class);
        pump = Thread.ofPlatform().daemon().name("tcp-test-engine").start(this::run);
    }

    /** The client after its welcome. */
    static ProtocolTestClient connected(ProtocolTestClient client) {
        client.control(ControlMessage.Welcome.class);
        return client;
    }

    private void run() {
        try {
            while (!closed) {
                Frame f = client.frames.poll(200, TimeUnit.MILLISECONDS);
                if (f == null) {
                    continue;
                }
                switch (f.type()) {
                    case OPEN -> open(f.streamId(), Json.read(f.payload(), OpenMessage.class));
                    case DATA -> {
                        Socket s = sockets.get(f.streamId());
                        byte[] bytes = f.payloadBytes();
                        if (s != null) {
                            try {
                                s.getOutputStream().write(bytes);
                                s.getOutputStream().flush();
                            } catch (IOException e) {
                                forget(f.streamId()); // the local side is gone: this stream ends, the others go on
                            }
                        }
                        client.send(Frame.windowUpdate(f.streamId(), bytes.length));
                        client.send(Frame.windowUpdate(0, bytes.length));
                    }
                    case FIN -> {
                        Socket s = sockets.get(f.streamId());
                        if (s != null) {
                            try {
                                s.shutdownOutput();
                            } catch (IOException e) {
                                forget(f.streamId());
                            }
                        }
                    }
                    case RST -> {
                        credit.remove(f.streamId());
                        Socket s = sockets.remove(f.streamId());
                        if (s != null) {
                            s.close();
                        }
                    }
                    case WINDOW_UPDATE -> granted(f.streamId(), f.windowIncrement());
                    case CONTROL -> {
                        if (Json.read(f.payload(), ControlMessage.class) instanceof ControlMessage.Ping p) {
                            client.send(Frame.control(new ControlMessage.Pong(p.seq(), p.time())));
                        }
                    }
                    default -> {
                    }
                }
            }
        } catch (Exception e) {
            if (!closed) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void forget(int id) {
        credit.remove(id);
        Socket s = sockets.remove(id);
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private void open(int id, OpenMessage open) throws IOException {
        opens.add(open);
        Socket s = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.put(id, s);
        credit.put(id, new long[]{streamWindow});
        client.send(Frame.reply(id, ReplyMessage.tcpAccepted()));
        Thread.ofPlatform().daemon().name("tcp-test-engine-" + id).start(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = s.getInputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    for (int off = 0; off < n; ) {
                        int k = take(id, n - off);
                        if (k < 0) {
                            return; // the stream is gone
                        }
                        client.send(Frame.data(id, buf, off, k));
                        off += k;
                    }
                }
                client.send(Frame.fin(id));
            } catch (IOException | InterruptedException e) {
                // closed by a RST
            }
        });
    }

    /** Waits for credit on the stream and the session; @return how many bytes may go now (at most {@code want}), -1 */
    private synchronized int take(int id, int want) throws InterruptedException {
        while (true) {
            long[] c = credit.get(id);
            if (c == null || closed) {
                return -1;
            }
            long k = Math.min(want, Math.min(c[0], sessionCredit));
            if (k > 0) {
                c[0] -= k;
                sessionCredit -= k;
                return (int) k;
            }
            wait(200);
        }
    }

    private synchronized void granted(int id, long increment) {
        if (id == 0) {
            sessionCredit += increment;
        } else {
            long[] c = credit.get(id);
            if (c != null) {
                c[0] += increment;
            }
        }
        notifyAll();
    }

    @Override
    public void close() {
        closed = true;
        client.close();
        for (Socket s : sockets.values()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
