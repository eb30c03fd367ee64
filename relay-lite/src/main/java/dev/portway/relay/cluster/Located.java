package dev.portway.relay.cluster;

/** A tunnel name bound on a live node of the cluster, and where that node is reached. */
public record Located(String name, String nodeId, String address) {
}
