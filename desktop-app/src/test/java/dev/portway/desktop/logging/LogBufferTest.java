package dev.portway.desktop.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LogBufferTest {
    private final LoggerContext context = new LoggerContext();

    private LogBuffer buffer(int capacity) {
        LogBuffer b = new LogBuffer(capacity);
        b.setContext(context);
        b.start();
        return b;
    }

    private void log(LogBuffer b, Level level, String message) {
        b.doAppend(new LoggingEvent("test", context.getLogger("dev.portway.Test"), level, message, null, null));
    }

    @Test
    void keepsOnlyTheLastCapacityEventsNumberedInOrder() {
        LogBuffer b = buffer(3);
        for (int i = 0; i < 5; i++) {
            log(b, Level.INFO, "m" + i);
        }
        assertThat(b.since(0)).extracting(LogBuffer.Entry::message).containsExactly("m2", "m3", "m4");
        assertThat(b.since(0)).extracting(LogBuffer.Entry::seq).containsExactly(2L, 3L, 4L);
        assertThat(b.since(4)).extracting(LogBuffer.Entry::message).containsExactly("m4");
        assertThat(b.since(5)).isEmpty();
        assertThat(b.nextSeq()).isEqualTo(5);
    }

    @Test
    void escapesControlCharactersSoTheLogWindowShowsOneLinePerEvent() {
        LogBuffer b = buffer(2);
        log(b, Level.INFO, "client x\n2026-12-01 12:00:00 INFO fake line\u001b[2J");
        assertThat(b.since(0).getFirst().message()).isEqualTo("client x\\n2026-12-01 12:00:00 INFO fake line\\e[2J");
    }

    @Test
    void cutsHugeMessagesSoTheBufferStaysBounded() {
        LogBuffer b = buffer(2);
        log(b, Level.WARN, "x".repeat(100_000));
        assertThat(b.since(0).getFirst().message()).hasSize(LogBuffer.MAX_TEXT + 2);
    }

    @Test
    void manyThreadsLoggingAtOnceLoseNothingThatFits() throws InterruptedException {
        LogBuffer b = buffer(4_000);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = IntStream.range(0, 4).mapToObj(t -> Thread.ofPlatform().start(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < 1_000; i++) {
                log(b, Level.INFO, t + ":" + i);
            }
        })).toList();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(b.since(0)).hasSize(4_000).extracting(LogBuffer.Entry::seq).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void installWritesTheAppLogToARollingFileInTheDataFolder(@TempDir Path dir) throws Exception {
        LogBuffer b = LogSetup.install(dir);
        assertThat(LogSetup.install(dir)).isSameAs(b);
        LoggerFactory.getLogger("dev.portway.desktop.LogSetupCheck").warn("written to the file {}", 42);

        Path file = dir.resolve("logs/portway.log");
        await().until(() -> Files.exists(file) && Files.readString(file).contains("written to the file 42"));
        assertThat(b.since(0)).anySatisfy(e -> assertThat(e.message()).isEqualTo("written to the file 42"));
    }
}
