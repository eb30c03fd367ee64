package dev.portway.relay.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portway.relay.audit.AuditLog;
import dev.portway.relay.queue.DurableQueue;
import dev.portway.relay.store.IdentityRecords.AuditRow;
import dev.portway.relay.store.RelayStore;
import dev.portway.shared.protocol.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Makes a running relay act on admin changes made elsewhere — by the admin command line (another process on
 * the same store) or by the console of another node of the cluster — within {@link #PERIOD_MS}: it tails the
 * store's {@code admin} audit events and ends the client sessions of a revoked token or a disabled or deleted
 * user at once (rather than when their JWT expires), and gives back the queue capacity of a purge made by
 * another process. Every change the services make is audited, so the audit table is the one place to look;
 * a change that could not be audited was reported as failed to whoever made it.
 *
 * <p>{@link #poll} runs on the store's thread (one query per period, on the indexed sequence number); ending
 * sessions is safe from any thread. Not thread-safe otherwise: one poll at a time (a fixed-delay schedule).
 */
public final class ChangeWatch {
    /** How often the relay looks for admin changes. */
    public static final long PERIOD_MS = 2000;
    /** Events read per poll at most; more wait for the next one. */
    static final int BATCH = 500;
    private static final Logger log = LoggerFactory.getLogger(ChangeWatch.class);

    private final RelayStore store;
    private final LiveSessions live;
    private final DurableQueue queue;
    private final String instance;
    /** Guarded by the store's one thread. */
    private long lastSeq;
    private volatile CompletableFuture<Integer> inFlight;

    /**
     * @param instance this relay process's id: purges it made itself (its console, {@code relay} field) are
     *                 already counted and skipped
     */
    public ChangeWatch(RelayStore store, LiveSessions live, DurableQueue queue, String instance) {
        this.store = store;
        this.live = live;
        this.queue = queue;
        this.instance = instance;
    }

    /** At start, before the queue levels are loaded: changes up to now are already in the store's state. Blocking. */
    public void begin() {
        lastSeq = store.identity().lastAuditSeq();
    }

    /** A scheduled tick (any thread, never blocks): polls unless the last poll is still waiting for the store. */
    public void tick() {
        CompletableFuture<Integer> last = inFlight;
        if (last == null || last.isDone()) {
            inFlight = poll();
        }
    }

    /** Reads the admin events since the last poll and acts on them; on the store's thread. */
    public CompletableFuture<Integer> poll() {
        return store.async("read admin changes", () -> {
            List<AuditRow> rows = store.identity().auditAfter(lastSeq, AuditLog.ADMIN, BATCH);
            for (AuditRow r : rows) {
                lastSeq = r.seq();
                try {
                    apply(r);
                } catch (RuntimeException e) {
                    log.warn("Could not act on admin change {}: {}", r.seq(), e.toString());
                }
            }
            return rows.size();
        });
    }

    private void apply(AuditRow r) throws RuntimeException {
        JsonNode f;
        try {
            f = Json.MAPPER.readTree(r.fieldsJson());
        } catch (Exception e) {
            return; // not one of the services' events
        }
        String action = f.path("action").asText("");
        switch (action) {
            case "token_revoke" -> ended(r, live.endSessionsOfToken(f.path("token").asText(), "Your token was revoked."));
            case "user_disable" -> ended(r, r.user() == null ? 0 : live.endSessionsOfUser(r.user(), "Your account was disabled by an admin."));
            case "user_delete" -> ended(r, r.user() == null ? 0 : live.endSessionsOfUser(r.user(), "Your account was deleted by an admin."));
            case "queue_purge" -> {
                if (queue != null && !instance.equals(f.path("relay").asText(null))) {
                    queue.purged(f.path("tunnel").asText(), f.path("requests").asLong(), f.path("bytes").asLong());
                }
            }
            default -> {
            }
        }
    }

    private static void ended(AuditRow r, int sessions) {
        if (sessions > 0) {
            log.info("Ended {} client session(s) after an admin change made elsewhere (audit {})", sessions, r.seq());
        }
    }
}
