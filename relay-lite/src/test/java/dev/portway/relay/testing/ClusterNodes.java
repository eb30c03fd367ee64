package dev.portway.relay.testing;

import dev.portway.relay.IdentityConfig;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.cluster.ClusterConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An in-process relay node for cluster tests: on 127.0.0.1 and port 0, token {@code secret}, no TCP range, its data in
 * {@code tmp/id}, on the PostgreSQL database {@code db}, with a 10 s lease.
 */
public final class ClusterNodes {
    private ClusterNodes() {
    }

    /** A node whose link port is a free one on 127.0.0.1. */
    public static Relay start(Path tmp, String db, String id, String secret) throws Exception {
        return start(tmp, db, id, secret, "127.0.0.1:" + FreePorts.unused());
    }

    /** A node that tells the cluster {@code address} (it listens on that port, on 127.0.0.1). */
    public static Relay start(Path tmp, String db, String id, String secret, String address) throws Exception {
        return Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0).tcpPortTo(0)
                        .dataDir(Files.createDirectories(tmp.resolve(id)))
                        .identity(IdentityConfig.DEFAULTS.withDb(db, "postgres", null)).build(), null,
                new ClusterConfig(id, address, secret, Duration.ofSeconds(10)));
    }
}
