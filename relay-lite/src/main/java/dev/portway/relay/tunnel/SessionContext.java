package dev.portway.relay.tunnel;

import dev.portway.relay.RelayConfig;
import dev.portway.relay.auth.TokenCheck;
import dev.portway.relay.metrics.RelayMetrics;

import dev.portway.relay.store.RelayStore;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * What every session shares: configuration, the registry, the token check and the relay's state.
 *
 * @param sessions     live (welcomed) sessions; thread-safe set
 * @param shuttingDown true once the relay is stopping: new sessions are refused
 * @param tcpBinder    opens public TCP listeners (implemented by the ingress)
 * @param store        the relay's database (reservations of queued tunnels)
 * @param events       told when tunnels go up and down (held requests, deliveries)
 * @param breakers     the latest circuit-breaker state each client reported, by tunnel; thread-safe map
 * @param metrics      counts requests and errors
 * @param accounts     users: authentication, audit, per-user limits
 */
public record SessionContext(RelayConfig config, TunnelRegistry<Session> registry, TokenCheck tokens,
                             Set<Session> sessions, BooleanSupplier shuttingDown, TcpBinder tcpBinder,
                             String version, Publisher publisher, RelayStore store, TunnelEvents events,
                             Map<String, String> breakers, RelayMetrics metrics,
                             dev.portway.relay.auth.Accounts accounts) {

    /** Binds the public port of a TCP tunnel. Kept as a function so the tunnel package does not depend on ingress. */
    @FunctionalInterface
    public interface TcpBinder {
        /**
         * @param requested the port asked for, or 0 for the first free one in the range
         * @return the bound port; fails when no port could be bound
         */
        CompletableFuture<Integer> bind(Tunnel<?> tunnel, int requested);
    }

    /** What else must happen when a tunnel goes up or down. Calls come on the session's event loop. */
    public interface TunnelEvents {
        /**
         * A tunnel was bound and {@code bound} sent.
         *
         * @param reservation the name's reservation when it belongs to this session's client key, else null
         */
        void bound(Tunnel<Session> tunnel, Session session, Reservation reservation);

        /** The owner unbound a tunnel; {@code reservationEnded} when that also ended its reservation. */
        void unbound(String name, boolean reservationEnded);
    }

    /** Public URLs of tunnels. */
    public interface Publisher {
        String httpUrl(String name);

        String tcpUrl(int port);

        /**
         * Where a private TCP tunnel is reached: {@code ssh://<host>:<ssh-port>/<name>}, or null when this
         * relay runs no SSH gateway (then private tunnels are refused).
         */
        default String privateUrl(String name) {
            return null;
        }
    }
}
