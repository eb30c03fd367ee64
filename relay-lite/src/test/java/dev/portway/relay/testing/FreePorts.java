package dev.portway.relay.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A free port for a server a test starts later (a node's link port, a relay's port in another JVM). Taken below the
 * kernel's ephemeral range: a port from {@code new ServerSocket(0)} is in that range, so between closing it and the
 * server's bind any outgoing connection (a JDBC connection, a visitor) may be given it as its local port, and the bind
 * then fails with "Address already in use".
 */
public final class FreePorts {
    private FreePorts() {
    }

    public static int unused() throws IOException {
        int low = ephemeralLow();
        int from = 10_000;
        if (low - from < 1_000) { // an unusual range: fall back to the kernel's choice
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }
        for (int i = 0; i < 100; i++) {
            int port = ThreadLocalRandom.current().nextInt(from, low);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException inUse) {
                // try another
            }
        }
        throw new IOException("no free port between " + from + " and " + low);
    }

    private static int ephemeralLow() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768; // Linux's default
        }
    }
}
