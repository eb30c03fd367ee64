package dev.portway.relay.ssh;

import dev.portway.relay.metrics.RelayMetrics;
import dev.portway.relay.tunnel.Session;
import dev.portway.relay.tunnel.SessionContext;
import dev.portway.relay.tunnel.TunnelRegistry;
import io.netty.channel.EventLoopGroup;

import java.util.function.BooleanSupplier;

/**
 * What the gateway shares with the rest of the relay: the same registry, public ports, URLs and metrics as
 * WebSocket clients, so visitors cannot tell an SSH-made tunnel from an engine-made one.
 *
 * @param loops        event loops that carry the streams between visitors and SSH channels
 * @param maxTunnels   tunnels per SSH connection at most (as per WebSocket session)
 * @param shuttingDown true once the relay is stopping
 * @param accounts     per-user limits and the audit log, shared with WebSocket clients
 * @param identity     users and reserved names (blocking: SSHD threads only)
 */
public record GatewayContext(SshConfig config, SshDirectory directory, TunnelRegistry<Session> registry,
                             SessionContext.TcpBinder tcpBinder, SessionContext.Publisher publisher, RelayMetrics metrics,
                             EventLoopGroup loops, int maxTunnels, BooleanSupplier shuttingDown,
                             dev.portway.relay.RelayConfig relay, dev.portway.relay.auth.Accounts accounts,
                             dev.portway.relay.store.IdentityStore identity) {
}
