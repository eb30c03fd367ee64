package dev.portway.desktop;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import dev.portway.desktop.profiles.DataDirs;
import dev.portway.desktop.profiles.ProfileService;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.ui.common.Threads;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;
import dev.portway.desktop.ui.connect.TunnelService;
import dev.portway.desktop.ui.main.MainView;
import dev.portway.desktop.ui.main.MainViewModel;
import dev.portway.desktop.ui.main.WindowBounds;
import dev.portway.desktop.ui.snapshot.SnapshotTaker;
import dev.portway.desktop.ui.transfer.FilePicker;
import dev.portway.desktop.ui.transfer.TransferView;
import dev.portway.desktop.ui.transfer.TransferViewModel;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.image.Image;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.stage.Screen;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The desktop app's composition root: every service, view model and view is made here with {@code new}.
 *
 * <p>Arguments: {@code --data-dir DIR} (see {@link DataDirs}), {@code --snapshot DIR} (save PNGs of the main
 * views, then exit), {@code --relay-port N} (the embedded relay's port when free, default 8080; 0 = any). Threads: {@code portway-store} (all database I/O, in order), {@code portway-connect-*}
 * (virtual: relay start, engine start and close), {@code portway-sampler} (metrics ticks), and the FX thread,
 * which never does I/O. Closing the window saves its bounds and shuts everything down on {@code portway-shutdown}.
 * Profile export/import (the ⋯ menu) reads and writes files on {@code portway-store}; the window-less
 * {@code --export}/{@code --import} commands never get here (see {@link PortwayDesktop}).
 */
public final class DesktopApp extends Application {
    private static final Logger LOG = LoggerFactory.getLogger(DesktopApp.class);
    private static final String DARK = "theme.dark";
    private static final AtomicInteger EXIT_CODE = new AtomicInteger();

    private final List<String> explicitArgs;
    private final FilePicker files;
    private final Function<dev.portway.desktop.engine.EngineConfig, dev.portway.desktop.engine.EngineConfig> tune;
    private final ExecutorService io = Threads.single("portway-store");
    private final ExecutorService work = Threads.virtual("portway-connect-");
    private final ScheduledExecutorService ticker = Threads.timer("portway-sampler");
    private final AtomicBoolean shutDown = new AtomicBoolean();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final BooleanProperty dark = new SimpleBooleanProperty();
    private volatile ProfileStore store;
    private volatile TunnelService tunnels;
    private ProfileService profiles;
    private MainViewModel main;
    private boolean snapshotMode;
    private int relayPort;

    /** For {@link Application#launch}: arguments come from {@link #getParameters()}. */
    public DesktopApp() {
        this(null, Function.identity());
    }

    /** For tests: explicit arguments, and a hook to adjust each engine's config (e.g. faster reconnects). */
    public DesktopApp(List<String> args, Function<dev.portway.desktop.engine.EngineConfig, dev.portway.desktop.engine.EngineConfig> tune) {
        this(args, tune, FilePicker.system());
    }

    /** For tests: as above, and the answers of the export/import file dialogs. */
    public DesktopApp(List<String> args, Function<dev.portway.desktop.engine.EngineConfig, dev.portway.desktop.engine.EngineConfig> tune,
                      FilePicker files) {
        this.explicitArgs = args;
        this.tune = tune;
        this.files = files;
    }

    static int exitCode() {
        return EXIT_CODE.get();
    }

    @Override
    public void start(Stage stage) {
        List<String> args = explicitArgs != null ? explicitArgs : getParameters().getRaw();
        Path dataDir = DataDirs.resolve(args);
        Path snapshotDir = option(args, "--snapshot");
        snapshotMode = snapshotDir != null;
        int i = args.indexOf("--relay-port");
        relayPort = i >= 0 && i + 1 < args.size() ? Integer.parseInt(args.get(i + 1)) : 8080;
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        stage.setTitle("Portway");
        addIcons(stage);
        CompletableFuture.supplyAsync(() -> {
            store = ProfileStore.open(dataDir);
            return new Saved(store.setting(WindowBounds.SETTING).flatMap(WindowBounds::parse).orElse(WindowBounds.DEFAULT),
                    store.setting(DARK).map(Boolean::parseBoolean).orElse(false));
        }, io).whenCompleteAsync((saved, error) -> {
            if (error != null) {
                showFatal(stage, error.getCause() != null ? error.getCause().getMessage() : error.getMessage());
            } else {
                show(stage, saved, snapshotDir, dataDir);
            }
        }, Platform::runLater);
    }

    /** The window's icon in every size the desktop may ask for; a missing one is skipped, never fatal. */
    private static void addIcons(Stage stage) {
        for (int size : new int[] {16, 24, 32, 48, 64, 128, 256}) {
            try (var in = DesktopApp.class.getResourceAsStream("ui/icons/portway-" + size + ".png")) {
                if (in != null) {
                    stage.getIcons().add(new Image(in));
                }
            } catch (java.io.IOException e) {
                LOG.warn("window icon {} not loaded: {}", size, e.getMessage());
            }
        }
    }

    private record Saved(WindowBounds bounds, boolean dark) {
    }

    private void show(Stage stage, Saved saved, Path snapshotDir, Path dataDir) {
        profiles = new ProfileService(store, io);
        tunnels = new TunnelService(new EmbeddedRelayHost(relayPort), work, ticker, Duration.ofMillis(500), Platform::runLater,
                Clock.systemUTC(), tune, dataDir.resolve("engines"));
        main = new MainViewModel(profiles, tunnels, Platform::runLater, Clock.systemUTC(), DesktopApp::copyToClipboard,
                url -> getHostServices().showDocument(url));
        dark.set(saved.dark());
        applyTheme(saved.dark());
        dark.addListener((o, was, now) -> {
            applyTheme(now);
            if (!snapshotMode) {
                profiles.putSetting(DARK, String.valueOf(now));
            }
        });

        TransferView transfer = new TransferView(new TransferViewModel(profiles, Platform::runLater, main::refresh), files);
        MainView view = new MainView(main, dark, transfer);
        Scene scene = new Scene(view, saved.bounds().width(), saved.bounds().height());
        scene.getStylesheets().add(Objects.requireNonNull(DesktopApp.class.getResource("ui/portway.css")).toExternalForm());
        stage.setScene(scene);
        stage.setMinWidth(760);
        stage.setMinHeight(520);
        place(stage, saved.bounds());
        stage.setOnCloseRequest(e -> {
            e.consume();
            closeWindow(stage);
        });
        stage.show();
        main.load();
        if (snapshotDir != null) {
            new SnapshotTaker(snapshotDir, scene, main, dark::set, io).start(ok -> {
                EXIT_CODE.set(ok ? 0 : 1);
                Platform.runLater(() -> closeWindow(stage));
            });
        }
    }

    private static void place(Stage stage, WindowBounds b) {
        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        if (b.placeable(screen.getMinX(), screen.getMinY(), screen.getWidth(), screen.getHeight())) {
            stage.setX(b.x());
            stage.setY(b.y());
        } else {
            stage.centerOnScreen();
        }
        stage.setMaximized(b.maximized());
    }

    private void applyTheme(boolean isDark) {
        Application.setUserAgentStylesheet(isDark ? new PrimerDark().getUserAgentStylesheet() : new PrimerLight().getUserAgentStylesheet());
    }

    private static void copyToClipboard(String text) {
        ClipboardContent c = new ClipboardContent();
        c.putString(text);
        Clipboard.getSystemClipboard().setContent(c);
    }

    private void showFatal(Stage stage, String message) {
        LOG.error("cannot start: {}", message);
        EXIT_CODE.set(1);
        Label l = new Label("Portway cannot start.\n\n" + message);
        l.setWrapText(true);
        l.setStyle("-fx-padding: 24;");
        stage.setScene(new Scene(l, 520, 200));
        stage.setOnCloseRequest(e -> {
            e.consume();
            stage.hide();
            shutdown().thenRun(Platform::exit);
        });
        stage.show();
    }

    /** Saves where the window is, hides it, shuts down in the background, then exits the toolkit. */
    private void closeWindow(Stage stage) {
        if (profiles != null && !snapshotMode) {
            WindowBounds b = new WindowBounds(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight(), stage.isMaximized());
            profiles.putSetting(WindowBounds.SETTING, b.format());
        }
        stage.hide();
        shutdown().thenRun(Platform::exit);
    }

    /**
     * Closes every tunnel, the embedded relay and the store, then the app's threads — on a thread of its own,
     * never the FX thread. Idempotent; the future completes when everything is closed.
     */
    public CompletableFuture<Void> shutdown() {
        if (shutDown.compareAndSet(false, true)) {
            Thread.ofPlatform().name("portway-shutdown").start(() -> {
                try {
                    TunnelService t = tunnels;
                    if (t != null) {
                        t.close();
                    }
                    ticker.shutdownNow();
                    // Queued after any pending save, so nothing is lost.
                    io.execute(() -> {
                        ProfileStore s = store;
                        if (s != null) {
                            s.close();
                        }
                    });
                    Threads.stop(io);
                    Threads.stop(work);
                    stopped.complete(null);
                } catch (RuntimeException e) {
                    LOG.error("shutdown failed", e);
                    stopped.completeExceptionally(e);
                }
            });
        }
        return stopped;
    }

    @Override
    public void stop() {
        shutdown(); // when the toolkit exits some other way; the work continues on portway-shutdown
    }

    private static Path option(List<String> args, String name) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? Path.of(args.get(i + 1)) : null;
    }
}
