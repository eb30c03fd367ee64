-- relay-lite store, version 15 (PostgreSQL only, like V10): TCP tunnels across the cluster (docs/cluster.md "TCP
-- tunnels on every node"). A TCP tunnel's public port is the cluster's, not only its node's: every node listens on it
-- and carries its visitors over the node link, and one client's bindings of the name on two nodes share it.

-- The public port of a TCP binding, set once its node listens on it; NULL for HTTP tunnels, private tunnels and a TCP
-- binding whose node has not opened its port yet (or predates this version: then only its own node serves it).
-- A port is never held by two names on live nodes: claims of one port are serialised by
-- pg_advisory_xact_lock(3, port) in the claiming transaction (no read-then-write race between nodes).
ALTER TABLE cluster_binding ADD COLUMN port INTEGER;
CREATE INDEX cluster_binding_port ON cluster_binding (port) WHERE port IS NOT NULL;
