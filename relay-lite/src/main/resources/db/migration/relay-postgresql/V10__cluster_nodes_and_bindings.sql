-- relay-lite store, version 10 (PostgreSQL only: a cluster needs PostgreSQL; the H2 store never runs this).
-- Nodes of a relay cluster and which node binds which tunnel name (docs/cluster.md).
-- Times are PostgreSQL's clock (now()), so nodes' clocks never have to agree.

-- A node is alive while lease_until is in the future; it renews its lease every third of its length.
-- incarnation tells one run of a node id from the next (a restarted node must not renew the old run's lease).
CREATE TABLE cluster_node (
    node_id       VARCHAR(63)  NOT NULL PRIMARY KEY,
    address       VARCHAR(255) NOT NULL,
    incarnation   VARCHAR(36)  NOT NULL,
    started_at    TIMESTAMPTZ  NOT NULL,
    lease_until   TIMESTAMPTZ  NOT NULL,
    clients       INT          NOT NULL DEFAULT 0,
    tunnels       INT          NOT NULL DEFAULT 0
);

-- One row per bound name: the primary key is what keeps a name on one node (and so one user's session)
-- cluster-wide. A row lives as long as its node's lease: a row of a dead node may be taken over.
CREATE TABLE cluster_binding (
    name          VARCHAR(63)  NOT NULL PRIMARY KEY,
    node_id       VARCHAR(63)  NOT NULL REFERENCES cluster_node (node_id) ON DELETE CASCADE,
    session_id    VARCHAR(64),
    user_name     VARCHAR(63),
    kind          VARCHAR(8)   NOT NULL,
    guarded       BOOLEAN      NOT NULL DEFAULT false,   -- visitor checks (basic auth, IP lists) only its node makes
    bound_at      TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE INDEX cluster_binding_node ON cluster_binding (node_id);

-- Every change of a binding is announced on channel portway_cluster with the name as payload; nodes
-- LISTEN and re-read that name (and re-read everything periodically, so a missed notification heals).
CREATE FUNCTION cluster_binding_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('portway_cluster', COALESCE(NEW.name, OLD.name));
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER cluster_binding_notify AFTER INSERT OR UPDATE OR DELETE ON cluster_binding
    FOR EACH ROW EXECUTE FUNCTION cluster_binding_changed();
