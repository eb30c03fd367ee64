package dev.portway.relay.cluster;

import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Json;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A node link dialled by hand, for tests that play a hostile or broken node: a plain socket that makes the link
 * handshake with the cluster secret (as {@link NodeLinks} does) and then sends and reads frames one message each.
 */
public final class RawLinkPeer implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    /** What the accepting node agreed to (its handshake answer's {@code features}). */
    public final String agreed;
    /** The frames the node sent, in order, read by a thread of their own. */
    public final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    /** Completed when the node closed the link (or sent something that is not a frame). */
    public final CompletableFuture<Void> closed = new CompletableFuture<>();

    private RawLinkPeer(Socket socket, String agreed) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
        this.agreed = agreed;
        socket.setSoTimeout(0);
        Thread.ofVirtual().name("raw-link-peer").start(() -> {
            try {
                while (true) {
                    frames.add(FrameCodec.decode(ByteBuffer.wrap(readMessage(in))));
                }
            } catch (Exception e) {
                closed.complete(null);
            }
        });
    }

    /** Dials {@code host:port} as node {@code node} with {@code secret}, offering every link feature. */
    public static RawLinkPeer dial(String host, int port, String node, String secret) throws Exception {
        Socket s = new Socket(host, port);
        s.setSoTimeout(10_000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        String nonce = LinkAuth.nonce();
        writeMessage(out, Json.write(Map.of("node", node, "nonce", nonce, "features", LinkFeatures.ALL.text())));
        @SuppressWarnings("unchecked")
        Map<String, String> answer = Json.read(ByteBuffer.wrap(readMessage(in)), Map.class);
        LinkAuth auth = new LinkAuth(secret);
        if (!LinkAuth.same(auth.acceptProof(nonce, answer.get("nonce"), null), answer.get("proof"))) {
            s.close();
            throw new IOException("the node did not prove the secret: " + answer);
        }
        writeMessage(out, Json.write(Map.of("proof", auth.dialProof(nonce, answer.get("nonce"), null))));
        return new RawLinkPeer(s, answer.get("features"));
    }

    public void send(Frame f) throws IOException {
        ByteBuffer b = FrameCodec.encode(f);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        writeMessage(out, bytes);
    }

    /** The next frame within {@code millis}, or null when none came; {@link #closed} tells whether the link ended. */
    public Frame poll(long millis) throws InterruptedException {
        return frames.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The next frame of {@code type} within 10 s (others are skipped); fails when none comes. */
    public Frame expect(FrameType type) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            Frame f = frames.poll(100, TimeUnit.MILLISECONDS);
            if (f != null && f.type() == type) {
                return f;
            }
        }
        throw new AssertionError("no " + type + " frame on the link within 10 s" + (closed.isDone() ? " (it closed)" : ""));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Writes one link message (its 4-byte length, then {@code body}); callers may share {@code out}. */
    public static void writeMessage(DataOutputStream out, byte[] body) throws IOException {
        synchronized (out) {
            out.writeInt(body.length);
            out.write(body);
            out.flush();
        }
    }

    /** Reads one link message's body. */
    public static byte[] readMessage(DataInputStream in) throws IOException {
        int n = in.readInt();
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
