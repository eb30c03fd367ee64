package dev.portway.relay.cluster;

import dev.portway.relay.tunnel.VisitorProtection;

/**
 * A tunnel name bound on a live node of the cluster, and where that node is reached.
 *
 * @param protection the tunnel's visitor checks (basic auth, IP lists), which every node makes for the visitors it
 *                   serves: {@link VisitorProtection#NONE} when it asked for none, {@link VisitorProtection#PENDING}
 *                   (no visitor admitted) when its row's checks cannot be read here — a row of a node that predates
 *                   sealed checks, or one sealed with another cluster secret
 * @param user       the tunnel's user, or null
 * @param perMinute  the user's visitor requests per minute (the whole cluster's; 0: no limit)
 * @param port       a TCP tunnel's public port, which every node listens on once its node opened it; 0 before that, and
 *                   for HTTP tunnels
 */
public record Located(String name, String nodeId, String address, String kind, VisitorProtection protection, String user,
                      int perMinute, int port) {
    /** Whether the tunnel asked for visitor checks. */
    public boolean guarded() {
        return !protection.isNone();
    }
}
