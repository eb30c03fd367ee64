-- relay-lite store, version 11 (PostgreSQL only, like V10): the durable queue shared by a relay cluster
-- (docs/cluster.md, "The queue in the cluster"). The single-node store (H2) never runs this.

-- The node delivering a queued request now. A node claims rows with SELECT ... FOR UPDATE SKIP LOCKED, so two
-- nodes never claim one row at once; a claim holds while its node's lease in cluster_node is live (a killed
-- node's claims return when its lease runs out) and is given back when the delivery is postponed or the
-- client's session ends. NULL: free (and always NULL on a single relay).
ALTER TABLE queued_request ADD COLUMN claimed_by VARCHAR(63);

-- A request stored by one node wakes the delivering node at once: NOTIFY portway_queue 'q:<tunnel>'.
-- A reservation made or ended on one node reaches the others: NOTIFY portway_queue 'r:<name>'.
-- (Nodes also re-read both every few seconds, so a missed notification heals.)
CREATE FUNCTION queued_request_stored() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('portway_queue', 'q:' || NEW.tunnel);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER queued_request_notify AFTER INSERT ON queued_request
    FOR EACH ROW EXECUTE FUNCTION queued_request_stored();

CREATE FUNCTION reservation_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('portway_queue', 'r:' || COALESCE(NEW.name, OLD.name));
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER reservation_notify AFTER INSERT OR UPDATE OR DELETE ON reservation
    FOR EACH ROW EXECUTE FUNCTION reservation_changed();
