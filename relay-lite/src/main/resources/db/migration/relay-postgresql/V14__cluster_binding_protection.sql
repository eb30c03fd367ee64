-- relay-lite store, version 14 (PostgreSQL only, like V10): a tunnel's visitor checks reach every node of the cluster
-- (docs/cluster.md "Visitor checks on every node"), so a node serves a guarded tunnel bound on another node.

-- The binding's visitor checks (IP allow/deny lists, the basic-auth HMAC and its per-tunnel key — never the
-- password), sealed with AES-256-GCM under a key derived from the cluster secret, with the name as associated data:
-- unreadable, and not transplantable to another name, for whoever reads the database. NULL when the tunnel has no
-- checks, or when the row was written by a node from before this version (guarded = true, protection NULL): other
-- nodes then refuse its visitors, as before, and only its own node serves it.
ALTER TABLE cluster_binding ADD COLUMN protection TEXT;
