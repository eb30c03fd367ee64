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

    TcpTestEngine(Relay relay, String token, String name, Map<String, String> options, int targetPort) {
        this.targetPort = targetPort;
        client = ProtocolTestClient.connect(relay, token, null);
        client.control(ControlMessage.Welcome.class);
        bound = client.bind("1", Protocol.KIND_TCP, name, options);
        pump = Thread.ofPlatform().daemon().name("tcp-test-engine").start(this::run);
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
                        Socket s = sockets.remove(f.streamId());
                        if (s != null) {
                            s.close();
                        }
                    }
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
        Socket s = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.put(id, s);
        client.send(Frame.reply(id, ReplyMessage.tcpAccepted()));
        Thread.ofPlatform().daemon().name("tcp-test-engine-" + id).start(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = s.getInputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    client.send(Frame.data(id, buf, 0, n));
                }
                client.send(Frame.fin(id));
            } catch (IOException e) {
                // closed by a RST
            }
        });
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
