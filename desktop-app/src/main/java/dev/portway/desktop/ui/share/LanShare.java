package dev.portway.desktop.ui.share;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * "Share on this network" for a tunnel of the embedded relay: a port of its own on this machine's LAN address that
 * passes HTTP to the relay on loopback with the tunnel's {@code name.localhost} Host, which a phone cannot resolve.
 * So {@code http://192.168.1.23:41877/} on a phone reaches {@code http://shop.localhost:8080/} here.
 *
 * <p>Each visitor connection is one request: the forwarder rewrites the Host of the request head and asks for
 * {@code Connection: close} (an upgrade — WebSocket — keeps its own Connection header and stays open), then copies
 * bytes both ways. A request head is read up to {@value #MAX_HEAD} bytes; larger ones get 431. Copies use fixed
 * 16 KiB buffers. Threads: one named virtual thread accepts, two per connection copy; {@link #close()} ends them all.
 */
public final class LanShare implements AutoCloseable {
    static final int MAX_HEAD = 32 * 1024;
    private static final int BUFFER = 16 * 1024;

    private final ServerSocket server;
    private final InetSocketAddress relay;
    private final String tunnelHost;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("portway-lan-share-", 0).factory());
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private LanShare(ServerSocket server, InetSocketAddress relay, String tunnelHost) {
        this.server = server;
        this.relay = relay;
        this.tunnelHost = tunnelHost;
    }

    /**
     * @param lan        the address to listen on (this machine's LAN address)
     * @param port       the port, 0 for any free one
     * @param relay      where the embedded relay's HTTP ingress listens (loopback)
     * @param tunnelHost the Host the relay routes the tunnel by, e.g. {@code shop.localhost:8080}
     * @throws IOException with a message for a person when the port cannot be opened
     */
    public static LanShare start(InetAddress lan, int port, InetSocketAddress relay, String tunnelHost) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.bind(new InetSocketAddress(lan, port), 50);
        } catch (IOException e) {
            s.close();
            throw new IOException("Cannot listen on " + lan.getHostAddress() + ":" + port + " (" + e.getMessage()
                    + ") — choose another port or let Portway pick one.", e);
        }
        LanShare share = new LanShare(s, relay, tunnelHost);
        share.threads.execute(share::accept);
        return share;
    }

    /** The URL a phone on the same network opens. */
    public String url() {
        return "http://" + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort() + "/";
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * Whether the shared port answers on the LAN address from this machine within {@code timeoutMillis}. When it
     * does not, a firewall is in the way (or the network went); {@link #firewallHint()} says what to do. Blocking.
     */
    public boolean reachable(int timeoutMillis) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), timeoutMillis);
            // A closed port in the ephemeral range can "answer" a probe from this machine by TCP simultaneous open
            // (the probe connected to itself): that is not the share answering.
            return !(probe.getLocalPort() == probe.getPort() && probe.getLocalAddress().equals(probe.getInetAddress()));
        } catch (IOException e) {
            return false;
        }
    }

    /** What to tell a person whose phone cannot open the URL. */
    public String firewallHint() {
        return "Port " + port() + " on " + server.getInetAddress().getHostAddress() + " is not reachable: allow it in this"
                + " computer's firewall (for example `sudo ufw allow " + port() + "/tcp`, or allow Portway when Windows or"
                + " macOS asks), and check that the phone is on the same Wi-Fi.";
    }

    private void accept() {
        while (!closed) {
            Socket visitor;
            try {
                visitor = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            open.add(visitor);
            threads.execute(() -> serve(visitor));
        }
    }

    private void serve(Socket visitor) {
        try (visitor; Socket upstream = new Socket()) {
            open.add(upstream);
            InputStream in = visitor.getInputStream();
            byte[] head = readHead(in);
            if (head == null) {
                respond(visitor, "431 Request Header Fields Too Large", "The request head is larger than " + MAX_HEAD + " bytes.");
                return;
            }
            if (head.length == 0) {
                return; // the visitor closed before sending anything
            }
            try {
                upstream.connect(relay, 5000);
            } catch (IOException e) {
                respond(visitor, "502 Bad Gateway", "Portway's embedded relay is not running — connect the profile again.");
                return;
            }
            OutputStream up = upstream.getOutputStream();
            up.write(rewrite(head, tunnelHost));
            up.flush();
            threads.execute(() -> copy(visitor, upstream, in)); // the request body, if any
            InputStream down = upstream.getInputStream();
            OutputStream out = visitor.getOutputStream();
            byte[] response = readHead(down);
            // Interim heads (100 Continue, 103 Early Hints) pass as they are; the final one says the connection
            // closes, since this one does once the response is whole, so a client never reuses it for a next request.
            while (response != null && response.length > 0 && interim(response)) {
                out.write(response);
                out.flush();
                response = readHead(down);
            }
            if (response == null || response.length == 0) {
                return; // no answer, or a head too large to be one: the visitor sees the connection end
            }
            out.write(switchingProtocols(response) ? response : closing(response));
            out.flush();
            copy(upstream, visitor, down); // the response body; once whole (the relay closes), both sockets close
        } catch (IOException e) {
            // the visitor or the relay went away: nothing to tell anyone
        } finally {
            open.remove(visitor);
        }
    }

    /** The request head up to and including the blank line; empty at end of stream; null when it is too large. */
    static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
        while (head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                return head.size() == 0 ? new byte[0] : head.toByteArray();
            }
            head.write(b);
            if (b == '\n' && endsWithBlankLine(head)) {
                return head.toByteArray();
            }
        }
        return null;
    }

    private static boolean endsWithBlankLine(ByteArrayOutputStream head) {
        byte[] b = head.toByteArray();
        int n = b.length;
        return n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n'
                || n >= 2 && b[n - 2] == '\n' && b[n - 1] == '\n';
    }

    /** The head with Host set to the tunnel's and, unless it asks for an upgrade, {@code Connection: close}. */
    static byte[] rewrite(byte[] head, String tunnelHost) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n", -1);
        StringBuilder out = new StringBuilder(text.length() + 64);
        boolean upgrade = false;
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].toLowerCase(Locale.ROOT);
            if (l.startsWith("upgrade:") && !l.substring(8).strip().equals("h2c")) { // h2c: the relay answers HTTP/1.1 anyway
                upgrade = true;
            }
        }
        out.append(lines[0]).append("\r\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            String l = line.toLowerCase(Locale.ROOT);
            if (l.startsWith("host:") || !upgrade && (l.startsWith("connection:") || l.startsWith("keep-alive:"))) {
                continue;
            }
            out.append(line).append("\r\n");
        }
        out.append("Host: ").append(tunnelHost).append("\r\n");
        if (!upgrade) {
            out.append("Connection: close\r\n");
        }
        out.append("\r\n");
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String statusCode(byte[] head) {
        String line = new String(head, 0, Math.min(head.length, 16), StandardCharsets.ISO_8859_1);
        return line.length() >= 12 && line.startsWith("HTTP/") ? line.substring(9, 12) : "";
    }

    private static boolean interim(byte[] head) {
        String code = statusCode(head);
        return code.startsWith("1") && !code.equals("101");
    }

    private static boolean switchingProtocols(byte[] head) {
        return statusCode(head).equals("101");
    }

    /** A final response head with its Connection and Keep-Alive headers replaced by {@code Connection: close}. */
    static byte[] closing(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n", -1);
        StringBuilder out = new StringBuilder(text.length() + 24).append(lines[0]).append("\r\n");
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].toLowerCase(Locale.ROOT);
            if (!lines[i].isEmpty() && !l.startsWith("connection:") && !l.startsWith("keep-alive:")) {
                out.append(lines[i]).append("\r\n");
            }
        }
        return out.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void respond(Socket visitor, String status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        OutputStream out = visitor.getOutputStream();
        out.write(("HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static void copy(Socket from, Socket to) {
        try {
            copy(from, to, from.getInputStream());
        } catch (IOException e) {
            // gone
        }
    }

    /** Copies until end of stream, then half-closes {@code to} so the other side sees the end too. */
    private static void copy(Socket from, Socket to, InputStream in) {
        byte[] buf = new byte[BUFFER];
        try {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (SocketException e) {
            // closed under us
        } catch (IOException e) {
            // gone
        }
    }

    /** Stops listening and ends every connection. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }
}
