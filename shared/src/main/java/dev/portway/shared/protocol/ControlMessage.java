package dev.portway.shared.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;
import java.util.Map;

/**
 * The JSON messages of CONTROL frames (stream 0). The {@code type} field names the message.
 * A message of a type this build does not know decodes to {@link Unknown} and is ignored, so that
 * a peer may add informational messages without a version bump; everything a peer must
 * understand needs a new protocol version.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type", defaultImpl = ControlMessage.Unknown.class)
@JsonSubTypes({
        @JsonSubTypes.Type(value = ControlMessage.Hello.class, name = "hello"),
        @JsonSubTypes.Type(value = ControlMessage.Welcome.class, name = "welcome"),
        @JsonSubTypes.Type(value = ControlMessage.Refused.class, name = "refused"),
        @JsonSubTypes.Type(value = ControlMessage.Bind.class, name = "bind"),
        @JsonSubTypes.Type(value = ControlMessage.Bound.class, name = "bound"),
        @JsonSubTypes.Type(value = ControlMessage.BindRefused.class, name = "bind_refused"),
        @JsonSubTypes.Type(value = ControlMessage.Unbind.class, name = "unbind"),
        @JsonSubTypes.Type(value = ControlMessage.Ping.class, name = "ping"),
        @JsonSubTypes.Type(value = ControlMessage.Pong.class, name = "pong"),
        @JsonSubTypes.Type(value = ControlMessage.GoAway.class, name = "go_away"),
        @JsonSubTypes.Type(value = ControlMessage.Notice.class, name = "notice"),
        @JsonSubTypes.Type(value = ControlMessage.QueueStatus.class, name = "queue_status"),
        @JsonSubTypes.Type(value = ControlMessage.Breaker.class, name = "breaker"),
        @JsonSubTypes.Type(value = ControlMessage.Refresh.class, name = "refresh"),
        @JsonSubTypes.Type(value = ControlMessage.Refreshed.class, name = "refreshed"),
})
public sealed interface ControlMessage {

    /**
     * Client → relay, the first frame of a session.
     *
     * @param versions      protocol versions the client speaks
     * @param token         the client's credential
     * @param client        free-form client name and version, for logs ({@code portway/0.1.0})
     * @param resume        the resume key of a previous session, to get its tunnel names back
     * @param streamWindow  initial credit the relay may use per stream towards the client (bytes)
     * @param sessionWindow initial credit the relay may use across all streams towards the client
     * @param clientKey     a stable secret of this client installation (≥128 random bits, kept by the
     *                      client across restarts); owns the names of queued tunnels (PROTOCOL.md §9)
     */
    record Hello(List<Integer> versions, String token, String client, String resume,
                 Integer streamWindow, Integer sessionWindow, String clientKey, List<String> features) implements ControlMessage {
        public Hello(List<Integer> versions, String token, String client, String resume, Integer streamWindow, Integer sessionWindow) {
            this(versions, token, client, resume, streamWindow, sessionWindow, null, null);
        }

        public Hello(List<Integer> versions, String token, String client, String resume, Integer streamWindow, Integer sessionWindow,
                     String clientKey) {
            this(versions, token, client, resume, streamWindow, sessionWindow, clientKey, null);
        }

        /** Whether the client offered {@code feature} (an older client offers none). */
        public boolean offers(String feature) {
            return features != null && features.contains(feature);
        }
    }

    /**
     * Relay → client: the handshake succeeded.
     *
     * @param version        the protocol version chosen
     * @param session        the session id (for logs and support)
     * @param resume         secret key the client sends in its next hello to resume this session's names
     * @param streamWindow   initial credit the client may use per stream towards the relay
     * @param sessionWindow  initial credit the client may use across all streams towards the relay
     * @param pingIntervalMs how often the relay pings; the client should ping as often
     * @param deadAfterMs    silence after which the relay declares the client dead
     * @param graceMs        how long the relay holds this session's names after it drops
     * @param relay          relay software name and version
     * @param user           the user the token belongs to (PROTOCOL.md §10), or null from an older relay
     * @param jwt            a short-lived session token: present it in a later hello, refresh it before it expires
     * @param jwtTtlMs       how long {@code jwt} is valid from now; the relay ends the session when it expires
     *                       without a {@link Refresh}
     * @param features       the hello's features the relay agreed to; both sides use exactly these (null: none)
     * @param node           with feature {@code ha} (PROTOCOL.md §3.3): the id of the cluster node this session reached
     * @param nodes          with feature {@code ha}: the other live nodes, and where a client reaches each directly
     */
    record Welcome(int version, String session, String resume, int streamWindow, int sessionWindow,
                   long pingIntervalMs, long deadAfterMs, long graceMs, String relay, String user, String jwt,
                   Long jwtTtlMs, List<String> features, String node, List<ClusterNode> nodes) implements ControlMessage {
        public Welcome(int version, String session, String resume, int streamWindow, int sessionWindow,
                       long pingIntervalMs, long deadAfterMs, long graceMs, String relay, String user, String jwt,
                       Long jwtTtlMs, List<String> features) {
            this(version, session, resume, streamWindow, sessionWindow, pingIntervalMs, deadAfterMs, graceMs, relay,
                    user, jwt, jwtTtlMs, features, null, null);
        }

        public Welcome(int version, String session, String resume, int streamWindow, int sessionWindow,
                       long pingIntervalMs, long deadAfterMs, long graceMs, String relay) {
            this(version, session, resume, streamWindow, sessionWindow, pingIntervalMs, deadAfterMs, graceMs, relay,
                    null, null, null, null);
        }

        public Welcome(int version, String session, String resume, int streamWindow, int sessionWindow,
                       long pingIntervalMs, long deadAfterMs, long graceMs, String relay, String user, String jwt,
                       Long jwtTtlMs) {
            this(version, session, resume, streamWindow, sessionWindow, pingIntervalMs, deadAfterMs, graceMs, relay,
                    user, jwt, jwtTtlMs, null);
        }

        /** Whether the relay agreed to {@code feature} (an older relay agrees to none). */
        public boolean agrees(String feature) {
            return features != null && features.contains(feature);
        }
    }

    /**
     * A live node of a relay cluster as welcome {@code nodes} lists it (PROTOCOL.md §3.3).
     *
     * @param node its id
     * @param url  the {@code ws[s]://} address a client reaches it at directly, or null: only through the shared address
     */
    record ClusterNode(String node, String url) {
    }

    /**
     * Relay → client: the handshake failed, or the session's authorisation ended; the relay closes the WebSocket
     * after sending it.
     *
     * @param retryAfterMs with {@code rate_limited}: milliseconds before the relay checks another attempt; else null
     */
    record Refused(String code, String message, Long retryAfterMs) implements ControlMessage {
        public Refused(String code, String message) {
            this(code, message, null);
        }

        public static Refused of(ErrorCode code, String message) {
            return new Refused(code.wireName(), message, null);
        }

        /** A {@code rate_limited} refusal: try again in {@code retryAfterMs} at the earliest. */
        public static Refused rateLimited(String message, long retryAfterMs) {
            return new Refused(ErrorCode.RATE_LIMITED.wireName(), message, retryAfterMs);
        }

        public ErrorCode errorCode() {
            return ErrorCode.ofWireName(code);
        }
    }

    /**
     * Client → relay: put a tunnel up.
     *
     * @param id      client-chosen id echoed in the answer
     * @param kind    {@code http} or {@code tcp}
     * @param name    requested name; null or empty for a generated one
     * @param port    TCP only: requested public port; null or 0 for any port in the relay's range
     * @param options tunnel options (strings); unknown options are refused
     */
    record Bind(String id, String kind, String name, Integer port, Map<String, String> options) implements ControlMessage {
    }

    /**
     * Relay → client: the tunnel is up.
     *
     * @param url    HTTP: the public URL; TCP: {@code tcp://host:port}
     * @param port   TCP only: the public port
     * @param notice set when the relay did not grant exactly what was asked, e.g. a taken name
     */
    record Bound(String id, String name, String kind, String url, Integer port, String notice) implements ControlMessage {
    }

    /** Relay → client: the tunnel could not be put up. The session stays open. */
    record BindRefused(String id, String code, String message) implements ControlMessage {
        public static BindRefused of(String id, ErrorCode code, String message) {
            return new BindRefused(id, code.wireName(), message);
        }

        public ErrorCode errorCode() {
            return ErrorCode.ofWireName(code);
        }
    }

    /** Client → relay: take a tunnel down (its name is freed at once, not held). */
    record Unbind(String name) implements ControlMessage {
    }

    /** Either way: a heartbeat. {@code time} is the sender's clock in ms; the answer echoes both fields. */
    record Ping(long seq, long time) implements ControlMessage {
    }

    /** The answer to a {@link Ping}, echoing its fields; round-trip time = now - time on the pinger. */
    record Pong(long seq, long time) implements ControlMessage {
    }

    /**
     * Relay → client: the relay is shutting down. No new streams will be opened; open streams may
     * finish until {@code deadlineMs} from now, then the relay closes the session. The client should
     * reconnect (to the same or another relay) after the close.
     */
    record GoAway(String reason, long deadlineMs) implements ControlMessage {
    }

    /** Relay → client: information to show the user; changes no state. */
    record Notice(String code, String message) implements ControlMessage {
    }

    /**
     * Relay → client: the state of a tunnel's durable queue on the relay (PROTOCOL.md §9). Sent when a
     * queued tunnel is bound and whenever {@code level} changes.
     *
     * @param level {@code ok}, {@code pressure} (≥ 80 % of the count or byte capacity) or {@code full}
     */
    record QueueStatus(String tunnel, int count, long bytes, int maxCount, long maxBytes, String level)
            implements ControlMessage {
    }

    /**
     * Client → relay: the client's circuit breaker for a tunnel's local target changed state
     * ({@code closed}, {@code open}, {@code half_open}). Informational: the relay counts it in metrics.
     */
    record Breaker(String tunnel, String state) implements ControlMessage {
    }

    /**
     * Client → relay: renew the session JWT before it expires (PROTOCOL.md §10). The relay checks that the
     * token and the user are still valid and answers {@link Refreshed}, or ends the session with a
     * {@link Refused} whose code says why ({@code token_revoked}, {@code user_disabled}).
     */
    record Refresh() implements ControlMessage {
    }

    /** Relay → client: the answer to {@link Refresh}; replaces the session JWT. */
    record Refreshed(String jwt, long jwtTtlMs) implements ControlMessage {
    }

    /** A message type this build does not know; receivers ignore it. */
    record Unknown() implements ControlMessage {
    }
}
