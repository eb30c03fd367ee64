package dev.portway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A tiny balancer for tests: forwards each connection to one address, first writing a PROXY v1 header naming the
 * connection's real source (as HAProxy's {@code send-proxy} does). Also builds PROXY v2 headers by hand.
 */
final class TcpProxyHeader implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final String host;
    private final int port;

    TcpProxyHeader(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        Thread.ofPlatform().daemon().name("proxy-header-" + server.getLocalPort()).start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** A PROXY v2 header (binary, TCP over IPv4) from {@code src}:{@code srcPort} to {@code dst}:{@code dstPort}. */
    static byte[] v2(String src, int srcPort, String dst, int dstPort) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.put(new byte[]{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.put((byte) 0x21); // version 2, PROXY
        b.put((byte) 0x11); // TCP over IPv4
        b.putShort((short) 12);
        b.put(InetAddress.getByName(src).getAddress());
        b.put(InetAddress.getByName(dst).getAddress());
        b.putShort((short) srcPort);
        b.putShort((short) dstPort);
        return b.array();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                Socket out = new Socket(host, port);
                String header = "PROXY TCP4 " + in.getInetAddress().getHostAddress() + " " + host + " " + in.getPort()
                        + " " + port + "\r\n";
                out.getOutputStream().write(header.getBytes(StandardCharsets.US_ASCII));
                pipe(in, out);
                pipe(out, in);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pipe(Socket from, Socket to) {
        Thread.ofPlatform().daemon().start(() -> {
            try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                i.transferTo(o);
                to.shutdownOutput();
            } catch (IOException ignored) {
                // one side closed
            }
        });
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
