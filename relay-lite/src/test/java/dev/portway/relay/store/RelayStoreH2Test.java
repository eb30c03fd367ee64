package dev.portway.relay.store;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store contract on an H2 file in a temporary data directory (the default store), and what only H2 has. */
class RelayStoreH2Test extends RelayStoreContract {
    @Override
    RelayStore open(Path tmp) throws Exception {
        return RelayStore.open(tmp.resolve("data"));
    }

    /** A store in its own folder with one reservation and one queued request, closed again. */
    Path storeWithData(String folder) throws Exception {
        Path dir = tmp.resolve(folder);
        try (RelayStore s = RelayStore.open(dir)) {
            s.saveReservation(new ReservationRow("hooks", "hash", "POST", 1024, "normal")).join();
            s.enqueue(new QueuedRequest("dlv-1", "hooks", 1, "req-1", "127.0.0.1", "POST", "/hook", List.of(),
                    new byte[]{1, 2, 3}, System.currentTimeMillis())).join();
        }
        return dir;
    }

    @Test
    void aDamagedFileIsRefusedWithThatCauseAndWhereTheBackupsAre() throws Exception {
        Path dir = storeWithData("damaged");
        Path file = dir.resolve("relay.mv.db");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] junk = new byte[(int) f.length()];
            java.util.Arrays.fill(junk, (byte) 0x5a);
            f.seek(0);
            f.write(junk); // headers and chunks overwritten, length kept
        }
        assertThatThrownBy(() -> RelayStore.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("relay.mv.db is damaged")
                .hasMessageContaining("Backups and upgrades")
                .hasMessageNotContaining("another relay");
    }

    @Test
    void aTruncatedFileIsRefusedWithThatCause() throws Exception {
        Path dir = storeWithData("truncated");
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve("relay.mv.db"), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(100); // half a header block left
        }
        assertThatThrownBy(() -> RelayStore.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("relay.mv.db is damaged")
                .hasMessageNotContaining("another relay");
    }

    @Test
    void theFileIsCompactedOnceItGrewAndKeepsEveryRow() throws Exception {
        Path dir = tmp.resolve("growing");
        System.setProperty(RelayStore.COMPACT_PROPERTY, String.valueOf(1 << 20));
        try (RelayStore s = RelayStore.open(dir)) {
            s.saveReservation(new ReservationRow("hooks", "hash", "POST", 1024, "normal")).join();
            // every commit is appended (REUSE_SPACE=FALSE): 400 commits would be several MiB uncompacted
            for (int i = 0; i < 200; i++) {
                s.enqueue(new QueuedRequest("dlv-" + i, "hooks", 1, "req-" + i, "127.0.0.1", "POST", "/hook", List.of(),
                        new byte[2000], System.currentTimeMillis())).join();
                if (i % 2 == 0) {
                    s.delete("dlv-" + i).join();
                }
            }
            assertThat(Files.size(dir.resolve("relay.mv.db"))).isLessThan(4L << 20);
            assertThat(s.count("hooks").join()).isEqualTo(100);
            assertThat(s.loadReservations()).extracting(ReservationRow::name).containsExactly("hooks");
        } finally {
            System.clearProperty(RelayStore.COMPACT_PROPERTY);
        }
        try (RelayStore s = RelayStore.open(dir)) {
            assertThat(s.count("hooks").join()).isEqualTo(100);
        }
    }

    @Test
    void aDiskBelowTheReserveIsRefusedAsFullAndNothingIsWritten() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("reserve"));
        System.setProperty(RelayStore.RESERVE_PROPERTY, String.valueOf(Files.getFileStore(dir).getUsableSpace() * 2));
        try {
            assertThatThrownBy(() -> RelayStore.open(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("is full").hasMessageContaining("free space there");
        } finally {
            System.clearProperty(RelayStore.RESERVE_PROPERTY);
        }
        assertThat(dir.resolve("relay.mv.db")).doesNotExist();
    }
}
