package dev.portway.relay.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portway.relay.store.RelayStore;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.text.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The relay's audit trail: who authenticated (or failed to), connected, bound and unbound what, hit which
 * limit, and what admins changed. Each event is one JSON line in {@code audit.log} in the data directory
 * (rotated to {@code audit.log.1} when it reaches its size bound, so at most twice that is kept) and one row
 * of the {@code audit_event} table (read back by {@code relay-lite audit}).
 *
 * <pre>{@code audit.record(AuditLog.BIND, "alice", "tunnel", "myapp", "kind", "http");}</pre>
 *
 * <p>Values often come from a peer (a hello's {@code client}, a token label): their control and text-direction
 * characters are escaped ({@link SafeText}) before they are stored, so neither the file nor {@code relay-lite audit}
 * can forge a line or drive the reader's terminal. JSON alone would leave C1 controls and bidi overrides raw.
 *
 * <p>Thread-safe and never blocking: {@link #record} hands the write to the store's thread and returns at
 * once, so it may be called on a Netty event loop. A failed write is logged, never thrown.
 */
public final class AuditLog {
    public static final String AUTH_SUCCESS = "auth_success";
    public static final String AUTH_FAILURE = "auth_failure";
    public static final String CONNECT = "connect";
    public static final String DISCONNECT = "disconnect";
    public static final String BIND = "bind";
    public static final String BIND_REFUSED = "bind_refused";
    public static final String UNBIND = "unbind";
    public static final String LIMIT = "limit";
    public static final String ADMIN = "admin";

    /** The file name of the JSON-lines log inside the data directory. */
    public static final String FILE = "audit.log";
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    private final RelayStore store;
    private final Path file;
    private final long maxBytes;

    /**
     * @param dataDir  where {@code audit.log} goes, or null to keep only the table
     * @param maxBytes size at which the file is rotated
     */
    public AuditLog(RelayStore store, Path dataDir, long maxBytes) {
        this.store = store;
        this.file = dataDir == null ? null : dataDir.resolve(FILE);
        this.maxBytes = maxBytes;
    }

    /**
     * Records an event.
     *
     * @param event  what happened, e.g. {@link #BIND}
     * @param user   the user it concerns, or null when unknown
     * @param fields name, value, name, value... (values are written as text; nulls are left out)
     * @return completes once the event is written (tests and the admin command line wait for it)
     */
    public CompletableFuture<Void> record(String event, String user, Object... fields) {
        if (fields.length % 2 != 0) {
            throw new IllegalArgumentException("fields must be name/value pairs");
        }
        long at = System.currentTimeMillis();
        ObjectNode extra = Json.MAPPER.createObjectNode();
        for (int i = 0; i < fields.length; i += 2) {
            if (fields[i + 1] != null) {
                extra.put(String.valueOf(fields[i]), SafeText.escape(String.valueOf(fields[i + 1])));
            }
        }
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("time", Instant.ofEpochMilli(at).toString());
        line.put("event", event);
        if (user != null) {
            line.put("user", SafeText.escape(user));
        }
        line.setAll(extra);
        String json = line.toString();
        String fieldsJson = extra.toString();
        return store.async("record an audit event", () -> {
            append(json);
            store.identity().insertAudit(at, event, user, fieldsJson);
            return (Void) null;
        }).exceptionally(e -> {
            log.warn("Could not write the audit event {} {}: {}", event, json, e.getMessage());
            return null;
        });
    }

    private void append(String json) {
        if (file == null) {
            return;
        }
        try {
            byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
            if (Files.exists(file) && Files.size(file) + bytes.length > maxBytes) {
                Files.move(file, file.resolveSibling(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            log.warn("Could not append to {}: {}", file, e.toString());
        }
    }
}
