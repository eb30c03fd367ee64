package dev.portway.desktop.ui.snapshot;

import dev.portway.desktop.ui.common.PngEncoder;
import dev.portway.desktop.ui.main.MainViewModel;
import javafx.animation.KeyFrame;
import javafx.animation.PauseTransition;
import javafx.animation.Timeline;
import javafx.scene.Scene;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.util.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * {@code --snapshot DIR}: once the window is up and auto-connecting profiles are connected (or 30 s have
 * passed), saves {@code main.png}, {@code editor.png}, {@code main-dark.png} and {@code diagnostics.png} (the selected
 * profile's diagnostics, run) into DIR, then reports
 * whether all were written. Waits with FX timers, never by blocking the FX thread; PNGs are encoded and
 * written on {@code io}.
 */
public final class SnapshotTaker {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotTaker.class);
    private static final int MAX_WAIT_TICKS = 150; // × 200 ms

    private final Path dir;
    private final Scene scene;
    private final MainViewModel vm;
    private final Consumer<Boolean> dark;
    private final Executor io;
    private final List<CompletableFuture<Void>> writes = new ArrayList<>();

    public SnapshotTaker(Path dir, Scene scene, MainViewModel vm, Consumer<Boolean> dark, Executor io) {
        this.dir = dir;
        this.scene = scene;
        this.vm = vm;
        this.dark = dark;
        this.io = io;
    }

    /** Call on the FX thread; {@code done} gets true when every PNG was written. */
    public void start(Consumer<Boolean> done) {
        int[] ticks = {0};
        Timeline poll = new Timeline();
        poll.getKeyFrames().add(new KeyFrame(Duration.millis(200), e -> {
            if (vm.settled() || ++ticks[0] >= MAX_WAIT_TICKS) {
                poll.stop();
                if (!vm.settled()) {
                    LOG.warn("snapshot: not settled after {} s; taking pictures anyway", MAX_WAIT_TICKS / 5);
                }
                // One more second so a tick of samples and the URL row are laid out.
                after(1000, () -> {
                    take("main.png");
                    vm.editSelected();
                    after(300, () -> {
                        take("editor.png");
                        vm.cancelEdit();
                        dark.accept(true);
                        after(300, () -> {
                            take("main-dark.png");
                            dark.accept(false);
                            diagnostics(() -> CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                                    .whenComplete((ok, error) -> {
                                        if (error != null) {
                                            LOG.error("snapshot: {}", error.getMessage());
                                        }
                                        done.accept(error == null);
                                    }));
                        });
                    });
                });
            }
        }));
        poll.setCycleCount(Timeline.INDEFINITE);
        poll.play();
    }

    /** Runs the selected profile's diagnostics in its tab and saves {@code diagnostics.png} once they end. */
    private void diagnostics(Runnable then) {
        var item = vm.selectedProperty().get();
        var diag = item == null ? null : vm.diagnostics(item);
        if (diag == null || !(scene.lookup("#detailTabs") instanceof javafx.scene.control.TabPane tabs)) {
            then.run();
            return;
        }
        tabs.getTabs().stream().filter(t -> "diagnosticsTab".equals(t.getId())).findFirst()
                .ifPresent(t -> tabs.getSelectionModel().select(t));
        diag.run();
        int[] ticks = {0};
        Timeline poll = new Timeline();
        poll.getKeyFrames().add(new KeyFrame(Duration.millis(200), e -> {
            if (!diag.runningProperty().get() || ++ticks[0] >= MAX_WAIT_TICKS) {
                poll.stop();
                after(300, () -> {
                    take("diagnostics.png");
                    then.run();
                });
            }
        }));
        poll.setCycleCount(Timeline.INDEFINITE);
        poll.play();
    }

    private static void after(int millis, Runnable r) {
        PauseTransition p = new PauseTransition(Duration.millis(millis));
        p.setOnFinished(e -> r.run());
        p.play();
    }

    private void take(String name) {
        WritableImage image = scene.snapshot(null);
        int w = (int) image.getWidth();
        int h = (int) image.getHeight();
        int[] argb = new int[w * h];
        image.getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
        Path file = dir.resolve(name);
        writes.add(CompletableFuture.runAsync(() -> {
            try {
                Files.createDirectories(dir);
                Files.write(file, PngEncoder.encode(w, h, argb));
                LOG.info("snapshot: wrote {} ({}x{})", file, w, h);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
            }
        }, io));
    }
}
