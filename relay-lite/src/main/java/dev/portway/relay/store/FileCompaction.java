package dev.portway.relay.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * When to compact the H2 file. The store runs H2 with REUSE_SPACE=FALSE: every commit is appended, so after an
 * unclean stop (kill -9, power loss, a failed write) H2 finds the newest commit at the end of the file. (With
 * space reuse, once the relay has been up past H2's 45 s retention time, commits land in freed space inside
 * the file where an unclean open may not find them, and the file opens at an older state.) The price is a file
 * that only grows, about 13 kB per commit; so it is compacted (SHUTDOWN COMPACT, then reopened) once it has
 * grown past {@code minBytes} and four times its size after the last compaction, and only when the disk has
 * room for the compacted copy. Called on the store thread only.
 */
final class FileCompaction {
    private final Path file;
    private final long minBytes;
    private long baseline;

    FileCompaction(Path dataDir, long minBytes) {
        this.file = dataDir.resolve("relay.mv.db");
        this.minBytes = minBytes;
        this.baseline = size();
    }

    boolean due() {
        long size = size();
        if (size < minBytes || size < 4 * baseline) {
            return false;
        }
        try {
            return Files.getFileStore(file.getParent()).getUsableSpace() > size + DiskSpace.DEFAULT_RESERVE;
        } catch (IOException e) {
            return false;
        }
    }

    /** After a compaction: growth is measured from here. */
    void compacted() {
        baseline = size();
    }

    long size() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
