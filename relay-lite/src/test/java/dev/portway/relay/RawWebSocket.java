package dev.portway.relay;

import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A WebSocket client on a plain socket, for tests of peers that misbehave: it writes (masked) frames as fast as
 * asked and reads only what the test reads — so a test can send without ever reading the answers. A small
 * receive buffer keeps the kernel from soaking up much of what the relay sends.
 */
final class RawWebSocket implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** The relay's answer to the upgrade, status line and headers. */
    final String head;

    RawWebSocket(int port, String path) throws IOException {
        this(port, path, "");
    }

    /** @param extraHeaders more request header lines, each ending in CRLF, e.g. a {@code Sec-WebSocket-Extensions} offer */
    RawWebSocket(int port, String path, String extraHeaders) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        String key = Base64.getEncoder().encodeToString("portway-raw-test".getBytes(StandardCharsets.US_ASCII));
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        head = readHead();
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("no upgrade: " + head);
        }
    }

    private String readHead() throws IOException {
        StringBuilder s = new StringBuilder();
        while (!s.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the handshake: " + s);
            }
            s.append((char) b);
        }
        return s.toString();
    }

    /** Buffers one binary message carrying a protocol frame; {@link #flush} sends. */
    void sendFrame(Frame frame) throws IOException {
        java.nio.ByteBuffer b = FrameCodec.encode(frame);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        writeFrame(0x2, bytes);
    }

    /** Buffers a WebSocket ping frame (opcode 9). */
    void sendPing(byte[] payload) throws IOException {
        writeFrame(0x9, payload);
    }

    void flush() throws IOException {
        out.flush();
    }

    /** Buffers a binary message flagged as compressed (RSV1, permessage-deflate) carrying {@code deflated} as is. */
    void sendCompressed(byte[] deflated) throws IOException {
        writeFrame(0x40 | 0x2, deflated);
    }

    private void writeFrame(int opcode, byte[] payload) throws IOException {
        out.write(0x80 | opcode);
        int n = payload.length;
        if (n < 126) {
            out.write(0x80 | n);
        } else if (n < 65536) {
            out.write(0x80 | 126);
            out.write(n >>> 8);
            out.write(n & 0xff);
        } else {
            out.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) n >>> (8 * i)) & 0xff);
            }
        }
        byte[] mask = {1, 2, 3, 4};
        out.write(mask);
        byte[] masked = new byte[n];
        for (int i = 0; i < n; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        out.write(masked);
    }

    /** Reads one server frame's payload (servers do not mask), or null when the socket closed. */
    byte[] readMessage() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = in.read();
        long n = b1 & 0x7f;
        if (n == 126) {
            n = (in.read() << 8) | in.read();
        } else if (n == 127) {
            n = 0;
            for (int i = 0; i < 8; i++) {
                n = (n << 8) | in.read();
            }
        }
        return in.readNBytes((int) n);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
