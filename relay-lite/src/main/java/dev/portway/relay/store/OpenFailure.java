package dev.portway.relay.store;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * Says why the H2 file in a data folder could not be opened, and what to do: another process holds it,
 * the file is damaged, the folder is not writable, or the disk is full. Each cause is told by H2's error
 * code or the operating system's message in the exception's chain, not guessed.
 */
final class OpenFailure {
    /** H2's codes (org.h2.api.ErrorCode), as numbers: the constants are not API of the JDBC driver we call. */
    private static final int DATABASE_ALREADY_OPEN = 90020;
    private static final int FILE_CORRUPTED = 90030;
    private static final int FILE_VERSION_ERROR = 90048;
    private static final int DATABASE_IS_READ_ONLY = 90097;

    private OpenFailure() {
    }

    static String explain(Path dataDir, Throwable failure) {
        String where = dataDir.toAbsolutePath().toString();
        String backup = " Restore " + where + " from your latest backup (docs/self-hosting.md, \"Backups and upgrades\": "
                + "a copy of the data folder taken while the relay was stopped), or move relay.mv.db aside to start "
                + "with an empty store (reservations, queued requests and users are then gone).";
        String root = rootMessage(failure);
        if (causedBy(failure, "No space left on device") || failure instanceof StoreException.DiskFull) {
            return "The disk of " + where + " is full (" + root + ") — free space there and start the relay again.";
        }
        if (code(failure, DATABASE_ALREADY_OPEN) || causedBy(failure, "Locked by another process")
                || causedBy(failure, "locked by another")) {
            return "The relay database in " + where + " is in use by another process (" + root
                    + ") — is another relay running with this --data-dir? Stop it, or give this one its own --data-dir.";
        }
        if (failure instanceof AccessDeniedException || hasCause(failure, AccessDeniedException.class)
                || causedBy(failure, "Permission denied") || causedBy(failure, "Read-only file system")
                || code(failure, DATABASE_IS_READ_ONLY) || !writable(dataDir)) {
            return "The relay cannot write to " + where + " (" + root + ") — make the folder and its files writable "
                    + "for the user the relay runs as (and the filesystem not read-only), then start it again.";
        }
        if (hasCause(failure, java.io.EOFException.class)) {
            return "The relay database " + where + "/relay.mv.db is damaged: it ends too early (truncated, e.g. by an "
                    + "incomplete copy or a full disk)." + backup;
        }
        if (code(failure, FILE_CORRUPTED) || code(failure, FILE_VERSION_ERROR) || causedBy(failure, "corrupt")) {
            return "The relay database " + where + "/relay.mv.db is damaged and cannot be read (" + root + ")." + backup;
        }
        return "Cannot open the relay database in " + where + ": " + root + "." + backup;
    }

    private static boolean writable(Path dir) {
        if (!Files.isDirectory(dir)) {
            Path parent = dir.toAbsolutePath().getParent();
            return parent == null || !Files.exists(parent) || Files.isWritable(parent);
        }
        Path file = dir.resolve("relay.mv.db");
        return Files.isWritable(dir) && (!Files.exists(file) || Files.isWritable(file));
    }

    private static boolean code(Throwable e, int code) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && s.getErrorCode() == code) {
                return true;
            }
        }
        return false;
    }

    private static boolean causedBy(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().toLowerCase(java.util.Locale.ROOT)
                    .contains(text.toLowerCase(java.util.Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
