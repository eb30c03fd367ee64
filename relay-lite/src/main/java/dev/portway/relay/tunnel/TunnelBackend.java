package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.OpenMessage;
import io.netty.channel.EventLoop;

/**
 * What carries a tunnel's visitor streams to its target: a client's WebSocket {@link Session}, or an SSH
 * connection of the gateway ({@code ssh -R}). The ingress opens one stream per visitor request (HTTP) or
 * connection (TCP) and cannot tell the two apart.
 */
public interface TunnelBackend {
    /**
     * Opens a stream for a visitor. Any thread; never blocks.
     *
     * @param listener told on {@code visitorLoop} about the answer, bytes, half-close and failures
     * @return the stream, or a refusal ({@code refused_stream} at a limit, {@code shutting_down} when gone)
     */
    Opened openStream(OpenMessage open, EventLoop visitorLoop, StreamListener listener);

    /**
     * Opens a stream for a visitor request that has no body: as {@link #openStream}, already half-closed towards the
     * target (a client session sends OPEN with the END flag when the client agreed to it, PROTOCOL.md §3.1).
     */
    default Opened openFinishedStream(OpenMessage open, EventLoop visitorLoop, StreamListener listener) {
        Opened opened = openStream(open, visitorLoop, listener);
        if (opened.stream() != null) {
            opened.stream().sendFin();
        }
        return opened;
    }

    /**
     * Takes a permit for one visitor request from the rate limit of the tunnel's user. Never blocks.
     *
     * @return 0 when allowed, else seconds to wait (for {@code Retry-After})
     */
    default long requestPermit() {
        return 0;
    }

    /**
     * Who carries the streams, as the relay's logs name it for each request: the client session's id, {@code ssh-<user>}
     * for an SSH connection, {@code node-<id>} for another node of a cluster. Any thread.
     */
    String sessionId();

    /**
     * Whether this backend refuses every new stream now, as a session does once it got {@code go_away} (its relay shuts
     * down): on a cluster, another node holding the same client then carries the tunnel's new visitors. Any thread.
     */
    default boolean goingAway() {
        return false;
    }

    /** The outcome of {@link #openStream}: a stream, or why none was opened (for the visitor's error page). */
    record Opened(TunnelStream stream, ErrorCode refusal) {
    }
}
