-- relay-lite store, version 12 (PostgreSQL only, like V10): one client may bind a name on several nodes at once
-- (docs/cluster.md "Clients on two nodes"), and a node tells clients where they can reach it.

-- Who owns a binding: the hash of the hello's client_key, scoped by the user (as for queued tunnels, §9.2). All
-- live bindings of a name have the same user and the same owner_key; NULL (a client without a key) binds alone.
ALTER TABLE cluster_binding ADD COLUMN owner_key VARCHAR(64);

-- At most one binding of a name per node (no longer one per name). Claims of one name are serialised by
-- pg_advisory_xact_lock(hashtext(name)) in the claiming transaction, so two nodes never both see "no other owner".
ALTER TABLE cluster_binding DROP CONSTRAINT cluster_binding_pkey;
ALTER TABLE cluster_binding ADD PRIMARY KEY (name, node_id);

-- The WebSocket URL clients reach this node at directly (--client-url), told to clients in welcome.nodes; NULL when
-- the node has none (clients then connect through the cluster's shared address again).
ALTER TABLE cluster_node ADD COLUMN client_url VARCHAR(255);
