package dev.portway.relay.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps the H2 file from ever hitting a full disk. H2's MVStore writes a new chunk into space it freed a
 * moment before (old chunks, once past the retention time of 45 s); when that write fails half-way with
 * ENOSPC, the chunks it overwrote were the ones H2 needs to find the newest commit on the next open, and the
 * file silently opens at an older state: rows committed (and answered 202) minutes before are gone. So
 * nothing is written while the data folder's filesystem has less than {@code reserve} bytes free (plus what
 * the write itself needs); the store answers "disk full" instead, and resumes once space is freed.
 *
 * <p>A check is one statfs call. Another process can still fill the disk between the check and the write:
 * the reserve makes that window a matter of it writing {@code reserve} bytes in that moment. Thread-safe.
 */
final class DiskSpace {
    /** Free space the relay leaves on the data folder's filesystem: H2's chunks plus headroom for other writes. */
    static final long DEFAULT_RESERVE = 8L << 20;

    private final Path dir;
    private final long reserve;

    DiskSpace(Path dir, long reserve) {
        this.dir = dir;
        this.reserve = reserve;
    }

    /** @throws StoreException.DiskFull when fewer than the reserve plus {@code writing} bytes are free */
    void check(long writing) {
        long free;
        try {
            free = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return; // the folder is gone or unreadable: the write itself will say so
        }
        long needed = reserve + 2 * Math.max(0, writing);
        if (free < needed) {
            throw new StoreException.DiskFull("The disk of " + dir.toAbsolutePath() + " is full (" + mib(free)
                    + " free; the relay keeps " + mib(needed) + " free so its database stays intact) — free space there; "
                    + "the relay goes on by itself once there is room.");
        }
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
