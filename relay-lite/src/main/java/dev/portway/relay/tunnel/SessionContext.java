package dev.portway.relay.tunnel;

import dev.portway.relay.RelayConfig;
import dev.portway.relay.auth.TokenCheck;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * What every session shares: configuration, the registry, the token check and the relay's state.
 *
 * @param sessions     live (welcomed) sessions; thread-safe set
 * @param shuttingDown true once the relay is stopping: new sessions are refused
 * @param tcpBinder    opens public TCP listeners (implemented by the ingress)
 */
public record SessionContext(RelayConfig config, TunnelRegistry<Session> registry, TokenCheck tokens,
                             Set<Session> sessions, BooleanSupplier shuttingDown, TcpBinder tcpBinder,
                             String version, Publisher publisher) {

    /** Binds the public port of a TCP tunnel. Kept as a function so the tunnel package does not depend on ingress. */
    @FunctionalInterface
    public interface TcpBinder {
        /**
         * @param requested the port asked for, or 0 for the first free one in the range
         * @return the bound port; fails when no port could be bound
         */
        CompletableFuture<Integer> bind(Tunnel<Session> tunnel, int requested);
    }

    /** Public URLs of tunnels. */
    public interface Publisher {
        String httpUrl(String name);

        String tcpUrl(int port);
    }
}
