package dev.portway.shared.protocol;

import java.util.List;

/** Constants of the protocol that both ends must agree on. See {@code shared/PROTOCOL.md}. */
public final class Protocol {
    /** The protocol version this build speaks. */
    public static final int VERSION = 1;
    /** Every version this build can speak, newest first. */
    public static final List<Integer> SUPPORTED_VERSIONS = List.of(1);
    /** The HTTP path of the WebSocket endpoint on the relay. */
    public static final String CONNECT_PATH = "/api/tunnel/connect";
    /**
     * Feature (hello/welcome {@code features}, PROTOCOL.md §3.1): the END flag on OPEN, REPLY and DATA instead of a
     * separate FIN, so a small exchange is three WebSocket messages instead of five.
     */
    public static final String FEATURE_END_FLAG = "end_flag";
    /**
     * Feature (PROTOCOL.md §3.1, §4.1): the relay rewrites responses and takes the bind options {@code local_origin},
     * {@code rewrite_redirects}, {@code rewrite_cookies} and {@code strip_headers}. A client sends {@code local_origin}
     * only to a relay that agreed, since an older relay refuses a bind with an option it does not know.
     */
    public static final String FEATURE_REWRITE = "rewrite";
    /**
     * Feature (PROTOCOL.md §3.2): a FIN may carry a trailer field block ({@link TrailersMessage}), both ways, and the
     * client forwards {@code TE: trailers} to the local app.
     */
    public static final String FEATURE_TRAILERS = "trailers";
    /**
     * Feature (PROTOCOL.md §3.2): before its final REPLY the client may send up to {@link #MAX_INTERIM} interim REPLYs
     * (status 100..199 other than 101, such as 103 Early Hints).
     */
    public static final String FEATURE_INTERIM = "interim";
    /** The most interim REPLYs one stream may carry before its final one; one more resets the stream. */
    public static final int MAX_INTERIM = 8;
    /**
     * Feature (PROTOCOL.md §3.3): the client keeps sessions to several nodes of a relay cluster at once. Offered only
     * by a client that wants more than one session, agreed only by a cluster node, which then names itself and the
     * other live nodes in welcome {@code node}/{@code nodes}. Not in {@link #FEATURES}: both sides decide it apart.
     */
    public static final String FEATURE_HA = "ha";
    /** The optional features this implementation speaks, offered in hello and accepted in welcome. */
    public static final List<String> FEATURES = List.of(FEATURE_END_FLAG, FEATURE_REWRITE, FEATURE_TRAILERS, FEATURE_INTERIM);
    /** The relay's health endpoint. */
    public static final String HEALTH_PATH = "/api/tunnel/health";
    /** Default initial credit per stream, in bytes. */
    public static final int DEFAULT_STREAM_WINDOW = 1024 * 1024;
    /** Default initial credit per session (the cap on bytes in flight across all streams). */
    public static final int DEFAULT_SESSION_WINDOW = 16 * 1024 * 1024;
    /** Smallest window a peer may declare; smaller values are a BAD_HELLO. */
    public static final int MIN_WINDOW = 64 * 1024;
    /** Default ping interval and the silence after which a peer is declared dead. */
    public static final long DEFAULT_PING_INTERVAL_MS = 30_000;
    public static final long DEFAULT_DEAD_AFTER_MS = 45_000;
    /** Tunnel kinds. */
    public static final String KIND_HTTP = "http";
    public static final String KIND_TCP = "tcp";
    /** Header the relay adds so a local app can correlate logs with the relay's. */
    public static final String REQUEST_ID_HEADER = "Portway-Request-Id";
    /** Header on every request delivered from a durable queue, so an app can drop duplicates. */
    public static final String DELIVERY_ID_HEADER = "Portway-Delivery-Id";
    /** Delivery priorities, most urgent first (PROTOCOL.md §9). */
    public static final String PRIORITY_HIGH = "high";
    public static final String PRIORITY_NORMAL = "normal";
    public static final String PRIORITY_LOW = "low";
    /** Bind options of protocol v1 (PROTOCOL.md §4, §9); the relay refuses any other. */
    public static final String OPTION_STRICT_NAME = "strict_name";
    public static final String OPTION_QUEUE = "queue";
    public static final String OPTION_QUEUE_METHODS = "queue_methods";
    public static final String OPTION_QUEUE_MAX_BODY = "queue_max_body";
    public static final String OPTION_QUEUE_PRIORITY = "queue_priority";
    /** Visitor protection (§4.1): {@code user:password} the relay asks visitors for with HTTP basic auth. */
    public static final String OPTION_BASIC_AUTH = "basic_auth";
    /** Visitor protection (§4.1): comma-separated CIDRs allowed in; others are refused. */
    public static final String OPTION_IP_ALLOW = "ip_allow";
    /** Visitor protection (§4.1): comma-separated CIDRs refused; deny wins over allow. */
    public static final String OPTION_IP_DENY = "ip_deny";
    /** TCP only: no public port; reachable only through the relay's SSH gateway (PROTOCOL.md §4 "Private TCP tunnels"). */
    public static final String OPTION_PRIVATE = "private";
    /** With {@code private=true}: other users who may reach the tunnel, comma-separated. */
    public static final String OPTION_SHARE = "share";
    /** Response rewriting (§4.1, http only): {@code on} (default) / {@code off} for Location, Content-Location, Refresh. */
    public static final String OPTION_REWRITE_REDIRECTS = "rewrite_redirects";
    /** Response rewriting (§4.1): {@code on} (default) / {@code off} for Set-Cookie Path and Domain. */
    public static final String OPTION_REWRITE_COOKIES = "rewrite_cookies";
    /** Response rewriting (§4.1): the local target's origin, {@code http://localhost:3000}, sent by the client. */
    public static final String OPTION_LOCAL_ORIGIN = "local_origin";
    /** Response rewriting (§4.1): comma-separated response headers the visitor does not get ({@code Server,X-Powered-By}). */
    public static final String OPTION_STRIP_HEADERS = "strip_headers";

    private Protocol() {
    }

    /** @return the highest version both lists contain, or -1 when there is none. */
    public static int pickVersion(List<Integer> offered) {
        if (offered == null) {
            return -1;
        }
        for (int v : SUPPORTED_VERSIONS) {
            if (offered.contains(v)) {
                return v;
            }
        }
        return -1;
    }

    /**
     * The message for a peer whose versions do not overlap ours, saying who must update:
     * {@code "Relay speaks protocol 1, this app speaks 2 — update the relay."}
     */
    public static String versionMismatchMessage(List<Integer> clientVersions) {
        // A hostile hello may list nulls ("versions": [null]): they are no version.
        List<Integer> offered = clientVersions == null ? List.of() : clientVersions.stream().filter(java.util.Objects::nonNull).toList();
        int newestClient = offered.stream().mapToInt(Integer::intValue).max().orElse(0);
        String relay = "Relay speaks protocol " + join(SUPPORTED_VERSIONS) + ", this app speaks "
                + (offered.isEmpty() ? "none" : join(offered));
        return newestClient > SUPPORTED_VERSIONS.getFirst()
                ? relay + " — update the relay (relay-lite) or connect to a newer one."
                : relay + " — update Portway.";
    }

    private static String join(List<Integer> versions) {
        return String.join("/", versions.stream().map(String::valueOf).toList());
    }
}
