package dev.portway.relay.console;

import dev.portway.relay.RelayConfig;
import dev.portway.relay.auth.Accounts;
import dev.portway.relay.cluster.ClusterNames;
import dev.portway.relay.metrics.TunnelTraffic;
import dev.portway.relay.queue.DurableQueue;
import dev.portway.relay.store.RelayStore;
import dev.portway.relay.tls.RelayTls;
import dev.portway.relay.tunnel.Session;
import dev.portway.relay.tunnel.TunnelRegistry;
import io.netty.channel.EventLoopGroup;

import java.util.Collection;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * What the console needs of the running relay. The event loops are the relay's own (no threads of its own but
 * the named blocking pool of {@link ConsoleServer}).
 *
 * @param tls        the relay's TLS (the console serves TLS when the relay does), or null
 * @param handshakes delegated TLS handshake work, or null without TLS
 * @param metrics    the relay's Prometheus exposition
 * @param traffic    visitor traffic per bound tunnel
 * @param instance   this relay process's id (see {@link dev.portway.relay.admin.ChangeWatch})
 * @param cluster    this relay as a node of a cluster, or null (it joins after the console starts: read it late)
 */
public record ConsoleContext(RelayConfig config, RelayStore store, Accounts accounts, Collection<Session> sessions,
                             TunnelRegistry<Session> registry, DurableQueue queue, Supplier<String> metrics, TunnelTraffic traffic,
                             EventLoopGroup boss, EventLoopGroup workers, RelayTls tls, Executor handshakes, String version,
                             String instance, Supplier<ClusterNames> cluster) {
}
