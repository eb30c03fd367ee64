-- relay-lite store, version 13 (PostgreSQL only, like V10): per-user limits that hold across a relay cluster
-- (docs/cluster.md "Per-user limits in the cluster"). The single-node store (H2) never runs this.

-- One row per open client session (after its hello was accepted) on a node. A row lives as long as its node's
-- lease, like cluster_binding: the session's end deletes it, a node's start and graceful stop delete its rows,
-- and rows of a node whose lease ran out do not count. A hello is accepted when the user's live sessions,
-- counted once per owner_key (one client's sessions on several nodes, feature ha, are one connection) and
-- once per session without a key, are fewer than the node's --max-connections-per-user. Hellos of one user are
-- serialised by pg_advisory_xact_lock(2, hashtext(user_name)) in the deciding transaction.
CREATE TABLE cluster_session (
    session_id    VARCHAR(64)  NOT NULL PRIMARY KEY,
    node_id       VARCHAR(63)  NOT NULL REFERENCES cluster_node (node_id) ON DELETE CASCADE,
    user_name     VARCHAR(63)  NOT NULL,
    owner_key     VARCHAR(64),                            -- as cluster_binding.owner_key; NULL: counts alone
    started_at    TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE INDEX cluster_session_user ON cluster_session (user_name);
CREATE INDEX cluster_session_node ON cluster_session (node_id);

-- Tunnel counts need no table of their own: a claim of a new name takes pg_advisory_xact_lock(1, hashtext(user))
-- after the name's lock and counts the user's distinct names in cluster_binding on live nodes.
CREATE INDEX cluster_binding_user ON cluster_binding (user_name);

-- The tunnel user's visitor requests per minute as the binding node applies it (its tier's rate; 0: no limit), so a
-- node carrying the tunnel's visitors over a node link applies its share of the same rate to them.
ALTER TABLE cluster_binding ADD COLUMN per_minute INT NOT NULL DEFAULT 0;
