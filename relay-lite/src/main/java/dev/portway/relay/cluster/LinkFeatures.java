package dev.portway.relay.cluster;

import dev.portway.shared.protocol.Protocol;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the two nodes of a link agreed to carry beyond the frames every node knows (docs/cluster.md "Node links",
 * PROTOCOL.md §3.2): {@code trailers} (a FIN may carry a trailer block) and {@code interim} (1xx REPLYs before the
 * final one). The dialling node lists what it offers in its first handshake message ({@code "features": "trailers
 * interim"}), the accepting node answers with the ones it agrees to; a node that sends or answers none (one from
 * before these features, in a rolling upgrade) gets neither, and the link carries streams as before: trailers and
 * interim answers dropped on it. Immutable.
 *
 * <p>{@code drain} is the link's own: a node that shuts down tells the node that dialled it ({@code go_away} then
 * {@code ping} on stream 0) and waits for its {@code pong}, after which that node sends it no new streams
 * (docs/cluster.md "Node links").
 */
record LinkFeatures(boolean trailers, boolean interim, boolean drain) {
    /** The link feature {@code drain}. */
    static final String DRAIN = "drain";
    /** What this node offers and agrees to. */
    static final LinkFeatures ALL = new LinkFeatures(true, true, true);
    /** An old peer's link. */
    static final LinkFeatures NONE = new LinkFeatures(false, false, false);

    /** The handshake field's value, space-separated feature names. */
    String text() {
        Set<String> s = new LinkedHashSet<>();
        if (trailers) {
            s.add(Protocol.FEATURE_TRAILERS);
        }
        if (interim) {
            s.add(Protocol.FEATURE_INTERIM);
        }
        if (drain) {
            s.add(DRAIN);
        }
        return String.join(" ", s);
    }

    /** The features named in {@code text} (null when the peer sent none) that this node also has; unknown names are ignored. */
    static LinkFeatures agreed(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        Set<String> named = Set.copyOf(Arrays.asList(text.trim().split("\\s+")));
        return new LinkFeatures(ALL.trailers && named.contains(Protocol.FEATURE_TRAILERS),
                ALL.interim && named.contains(Protocol.FEATURE_INTERIM), ALL.drain && named.contains(DRAIN));
    }

    /** An interim answer (1xx other than 101, PROTOCOL.md §3.2), when {@code interim} was agreed. */
    boolean isInterim(Integer status) {
        return interim && status != null && status >= 100 && status < 200 && status != 101;
    }
}
