package dev.portway.desktop.ui.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.portway.desktop.logging.LogBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LogViewModelTest {
    private final LoggerContext context = new LoggerContext();
    private final LogBuffer buffer = new LogBuffer(5);
    private final List<String> clipboard = new ArrayList<>();
    private final LogViewModel vm = new LogViewModel(buffer, Runnable::run, Runnable::run, clipboard::add, ZoneOffset.UTC);

    LogViewModelTest() {
        buffer.setContext(context);
        buffer.start();
    }

    private void log(Level level, String logger, String message) {
        buffer.doAppend(new LoggingEvent("test", context.getLogger(logger), level, message, null, null));
    }

    @Test
    void refreshTakesOnlyNewEventsAndNeverHoldsMoreThanTheBuffer() {
        log(Level.INFO, "dev.portway.A", "one");
        vm.refresh();
        vm.refresh();
        assertThat(vm.shown()).extracting(LogBuffer.Entry::message).containsExactly("one");

        for (int i = 0; i < 7; i++) {
            log(Level.INFO, "dev.portway.A", "n" + i);
        }
        vm.refresh();
        assertThat(vm.total()).isEqualTo(5);
        assertThat(vm.shown()).extracting(LogBuffer.Entry::message).containsExactly("n2", "n3", "n4", "n5", "n6");
    }

    @Test
    void levelAndSearchFilterTheLines() {
        log(Level.ERROR, "dev.portway.engine.TunnelEngine", "relay unreachable");
        log(Level.WARN, "dev.portway.B", "slow local app");
        log(Level.INFO, "dev.portway.C", "connected");
        log(Level.DEBUG, "dev.portway.C", "frame");
        vm.refresh();
        assertThat(vm.shown()).extracting(LogBuffer.Entry::message).containsExactly("relay unreachable", "slow local app", "connected");

        vm.levelProperty().set(LogViewModel.Level.WARN);
        assertThat(vm.shown()).extracting(LogBuffer.Entry::message).containsExactly("relay unreachable", "slow local app");

        vm.levelProperty().set(LogViewModel.Level.DEBUG);
        vm.searchProperty().set("  TUNNELENGINE ");
        assertThat(vm.shown()).extracting(LogBuffer.Entry::message).containsExactly("relay unreachable");
        log(Level.ERROR, "dev.portway.D", "another tunnelengine line");
        vm.refresh();
        assertThat(vm.shown()).hasSize(2);
    }

    @Test
    void copyAndSaveWriteTheShownLines(@TempDir Path dir) throws Exception {
        LoggingEvent e = new LoggingEvent("test", context.getLogger("dev.portway.desktop.DesktopApp"), Level.WARN, "hello {}",
                null, new Object[]{"world"});
        e.setTimeStamp(3_723_004L); // 01:02:03.004 UTC
        buffer.doAppend(e);
        vm.refresh();
        vm.copy();
        assertThat(clipboard).containsExactly("01:02:03.004 WARN  DesktopApp hello world\n");
        assertThat(vm.statusProperty().get()).isEqualTo("1 line copied.");

        Path file = dir.resolve("log.txt");
        vm.save(file).toCompletableFuture().get();
        assertThat(Files.readString(file)).isEqualTo("01:02:03.004 WARN  DesktopApp hello world\n");

        vm.save(dir.resolve("missing/dir/log.txt"));
        assertThat(vm.statusProperty().get()).startsWith("Could not save to ").endsWith("choose another folder.");
    }
}
