package dev.portway.relay.admin;

import dev.portway.relay.audit.AuditLog;
import dev.portway.relay.store.StoreException;

import java.util.concurrent.TimeUnit;

/**
 * Audits what an admin or user changed, naming who did it ({@code by}) and through what ({@code via}:
 * {@code cli} or {@code console}). Blocks until the event is written, so a change that could not be audited
 * is reported: call it on a blocking thread, never on an event loop.
 */
public final class AdminAudit {
    private final AuditLog log;
    private final String via;

    public AdminAudit(AuditLog log, String via) {
        this.log = log;
        this.via = via;
    }

    public AuditLog log() {
        return log;
    }

    /** @param user the user the change concerns, or null */
    public void record(Actor by, String user, Object... fields) {
        recordEvent(AuditLog.ADMIN, by, user, fields);
    }

    public void recordEvent(String event, Actor by, String user, Object... fields) {
        Object[] all = new Object[fields.length + 4];
        all[0] = "by";
        all[1] = by.name();
        all[2] = "via";
        all[3] = via;
        System.arraycopy(fields, 0, all, 4, fields.length);
        try {
            log.record(event, user, all).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new StoreException("Could not write the audit event: " + e.getMessage(), e);
        }
    }
}
