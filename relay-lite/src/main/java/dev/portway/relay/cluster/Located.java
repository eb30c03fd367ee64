package dev.portway.relay.cluster;

/**
 * A tunnel name bound on a live node of the cluster, and where that node is reached.
 *
 * @param guarded   whether the tunnel asked for visitor checks (basic auth, IP lists), which only its node can make
 * @param user      the tunnel's user, or null
 * @param perMinute the user's visitor requests per minute (the whole cluster's; 0: no limit)
 */
public record Located(String name, String nodeId, String address, String kind, boolean guarded, String user, int perMinute) {
}
