package dev.portway.desktop;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import dev.portway.desktop.metrics.HistoryStore;
import dev.portway.desktop.diagnostics.AppInfo;
import dev.portway.desktop.diagnostics.Diagnostics;
import dev.portway.desktop.logging.LogBuffer;
import dev.portway.desktop.logging.LogSetup;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.history.RequestHistory;
import dev.portway.desktop.profiles.DataDirs;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileService;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.startup.StartupTimeline;
import dev.portway.desktop.ui.common.Threads;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;
import dev.portway.desktop.ui.connect.TunnelService;
import dev.portway.desktop.ui.live.HistoryRecorder;
import dev.portway.desktop.ui.live.HistorySource;
import dev.portway.desktop.ui.about.AboutView;
import dev.portway.desktop.ui.diagnostics.DiagnosticsService;
import dev.portway.desktop.ui.log.LogView;
import dev.portway.desktop.ui.log.LogViewModel;
import dev.portway.desktop.relaysetup.BundledArchive;
import dev.portway.desktop.relaysetup.HostKeyPins;
import dev.portway.desktop.ui.main.AppActions;
import dev.portway.desktop.ui.relaysetup.RelaySetupView;
import dev.portway.desktop.ui.relaysetup.RelaySetupViewModel;
import dev.portway.desktop.ui.inspector.CaptureLimit;
import dev.portway.desktop.ui.inspector.InspectorLayout;
import dev.portway.desktop.ui.inspector.InspectorViewModel;
import dev.portway.desktop.ui.inspector.Replayer;
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
import java.time.ZoneId;
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
 * views, then exit), {@code --tray} (start hidden in the system tray, when there is one), {@code --relay-port N} (the embedded relay's port when free, default 8080; 0 = any). Threads: {@code portway-store} (all database I/O, in order), {@code portway-connect-*}
 * (virtual: relay start, engine start and close), {@code portway-sampler} (metrics ticks), {@code portway-replay}
 * (the inspector's replays, one at a time at low priority), and the FX thread,
 * which never does I/O. Closing the window saves its bounds and shuts everything down on {@code portway-shutdown}.
 * Diagnostics run on {@code portway-connect-*} (each step on a virtual thread of its own); the log window reads
 * the in-memory log (see {@link LogSetup}, which also writes {@code <data dir>/logs/portway.log}).
 * Profile export/import (the app menu) reads and writes files on {@code portway-store}; the window-less
 * {@code --export}/{@code --import} commands never get here (see {@link PortwayDesktop}).
 */
public final class DesktopApp extends Application {
    private static final Logger LOG = LoggerFactory.getLogger(DesktopApp.class);
    private static final String DARK = "theme.dark";
    /** Bytes of each HTTP body the inspector keeps (engine capture and replays), 0 = headers only; read at start. */
    static final String CAPTURE_BYTES = "inspector.captureBytes";
    private static final AtomicInteger EXIT_CODE = new AtomicInteger();

    private final List<String> explicitArgs;
    private final FilePicker files;
    private final Function<dev.portway.desktop.engine.EngineConfig, dev.portway.desktop.engine.EngineConfig> tune;
    private final ExecutorService io = Threads.single("portway-store");
    private final ExecutorService work = Threads.virtual("portway-connect-");
    private final ScheduledExecutorService ticker = Threads.timer("portway-sampler");
    private final AtomicBoolean shutDown = new AtomicBoolean();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Completes when the first frame is up (or will never be): the store thread holds the migration until then. */
    private final CompletableFuture<Void> firstFrame = new CompletableFuture<>();
    private final StartupTimeline timeline = new StartupTimeline();
    private final BooleanProperty dark = new SimpleBooleanProperty();
    /**
     * Diagnostics' HTTP and WebSocket client, made on the first run (guarded by {@code this}): building one loads the
     * system's CA certificates, which the first frame does not need. Its threads end on shutdown.
     */
    private okhttp3.OkHttpClient diagnosticsHttp;
    private Diagnostics diagnostics;
    private LogBuffer logs;
    private Stage logWindow;
    private volatile ProfileStore store;
    private volatile TunnelService tunnels;
    private volatile HistoryStore historyStore;
    private HistoryRecorder history;
    private volatile dev.portway.desktop.history.HistoryStore requestStore;
    private volatile Replayer replayer;
    private ProfileService profiles;
    private MainViewModel main;
    private boolean snapshotMode;
    private int relayPort;
    /** The tray icon, or null: none yet, none on this desktop, or snapshot mode. FX thread. */
    private dev.portway.desktop.ui.tray.TrayPresence tray;
    /** The main window (the primary stage). FX thread. */
    private Stage window;
    /** {@code --tray} (how start at login launches it): no window at start when there is a tray. */
    private boolean startInTray;
    private final javafx.beans.property.BooleanProperty startAtLogin = new SimpleBooleanProperty();

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
        window = stage;
        List<String> args = explicitArgs != null ? explicitArgs : getParameters().getRaw();
        Path dataDir = DataDirs.resolve(args);
        logs = LogSetup.install(dataDir); // before anything worth reading is logged
        Path snapshotDir = option(args, "--snapshot");
        snapshotMode = snapshotDir != null;
        startInTray = args.contains("--tray");
        int i = args.indexOf("--relay-port");
        relayPort = i >= 0 && i + 1 < args.size() ? Integer.parseInt(args.get(i + 1)) : 8080;
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        stage.setTitle("Portway");
        addIcons(stage);
        // Before the first frame only what it shows: the database opened (so a second Portway is refused at once) and
        // the window's settings. Its schema (Flyway: ~1/5 of a cold start's CPU) waits for the frame, as the first task
        // on io: every store call the window makes is queued after it.
        CompletableFuture.supplyAsync(() -> {
            store = ProfileStore.connect(dataDir);
            try {
                historyStore = HistoryStore.attach(dataDir);
            } catch (RuntimeException e) {
                LOG.warn("charts start without history: {}", e.getMessage()); // the app works without it
            }
            requestStore = dev.portway.desktop.history.HistoryStore.open(dataDir);
            return savedSettings(store);
        }, io).whenCompleteAsync((saved, error) -> {
            if (error != null) {
                showFatal(stage, error.getCause() != null ? error.getCause().getMessage() : error.getMessage());
            } else {
                show(stage, saved, snapshotDir, dataDir);
            }
        }, Platform::runLater);
        io.execute(() -> {
            firstFrame.join(); // completed by show, showFatal and shutdown
            if (store != null && !shutDown.get()) {
                try {
                    ProfileStore.migrate(dataDir);
                    timeline.mark(StartupTimeline.APP_DATABASE_READY);
                } catch (RuntimeException e) {
                    Platform.runLater(() -> showFatal(stage, e.getMessage()));
                }
            }
        });
    }

    /** The window's settings; the defaults on a first run, when the database has no tables yet. */
    private static Saved savedSettings(ProfileStore store) {
        try {
            return new Saved(store.setting(WindowBounds.SETTING).flatMap(WindowBounds::parse).orElse(WindowBounds.DEFAULT),
                    store.setting(DARK).map(Boolean::parseBoolean).orElse(false), captureBytes(store.setting(CAPTURE_BYTES).orElse(null)));
        } catch (dev.portway.desktop.profiles.StoreException notMigratedYet) {
            LOG.debug("window settings not readable before the migration: {}", notMigratedYet.getMessage());
            return new Saved(WindowBounds.DEFAULT, false, EngineConfig.DEFAULT_CAPTURE_LIMIT);
        }
    }

    /** What the app did since it started, in order (for tests; each event is also logged with its time and CPU). */
    public List<String> startupEvents() {
        return timeline.events();
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

    private record Saved(WindowBounds bounds, boolean dark, int captureBytes) {
    }

    /** The capture limit setting, or the default when it is missing or not a number in range (logged). */
    static int captureBytes(String setting) {
        if (setting == null) {
            return EngineConfig.DEFAULT_CAPTURE_LIMIT;
        }
        try {
            int n = Integer.parseInt(setting.strip());
            if (n >= 0 && n <= EngineConfig.MAX_CAPTURE_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        LOG.warn("setting {}={} is not a byte count from 0 to {}; using {}", CAPTURE_BYTES, setting, EngineConfig.MAX_CAPTURE_LIMIT,
                EngineConfig.DEFAULT_CAPTURE_LIMIT);
        return EngineConfig.DEFAULT_CAPTURE_LIMIT;
    }

    private void show(Stage stage, Saved saved, Path snapshotDir, Path dataDir) {
        profiles = new ProfileService(store, io);
        CaptureLimit capture = new CaptureLimit(saved.captureBytes(), n -> {
            if (!snapshotMode) {
                profiles.putSetting(CAPTURE_BYTES, String.valueOf(n));
            }
        });
        EmbeddedRelayHost embedded = new EmbeddedRelayHost(relayPort, () -> timeline.mark(StartupTimeline.EMBEDDED_RELAY_STARTED));
        tunnels = new TunnelService(embedded, work, ticker, Duration.ofMillis(500), Platform::runLater,
                Clock.systemUTC(), c -> tune.apply(c.withCaptureLimit(capture.get())), dataDir.resolve("engines"));
        HistorySource past = HistorySource.NONE;
        if (historyStore != null) {
            history = new HistoryRecorder(historyStore, io, Platform::runLater, Clock.systemUTC());
            tunnels.addListener(history);
            // Minutes also end while no profile is connected: write them within half a minute.
            ticker.scheduleAtFixedRate(() -> Platform.runLater(() -> history.flushDue(Clock.systemUTC().instant())),
                    30, 30, java.util.concurrent.TimeUnit.SECONDS);
            past = history;
        }
        DiagnosticsService diagnostics = new DiagnosticsService(embedded, this::diagnostics, work, Platform::runLater,
                () -> AppInfo.current(dataDir));
        replayer = new Replayer(capture::get);
        RequestHistory requests = new RequestHistory(requestStore, io, Platform::runLater);
        InspectorLayout inspectorLayout = new InspectorLayout(InspectorLayout.DEFAULT, v -> {
            if (!snapshotMode) {
                profiles.putSetting(InspectorLayout.SETTING, v);
            }
        });
        profiles.setting(InspectorLayout.SETTING).thenAcceptAsync(v -> v.ifPresent(text ->
                inspectorLayout.dividerProperty().set(InspectorLayout.parse(text))), Platform::runLater);
        main = new MainViewModel(profiles, tunnels, Platform::runLater, Clock.systemUTC(), DesktopApp::copyToClipboard,
                new dev.portway.desktop.ui.common.Browser(url -> getHostServices().showDocument(url)), past, diagnostics,
                p -> new InspectorViewModel(p, requests, replayer, Platform::runLater, DesktopApp::copyToClipboard, ZoneId.systemDefault(),
                        capture, inspectorLayout));
        dark.set(saved.dark());
        applyTheme(saved.dark());
        dark.addListener((o, was, now) -> {
            applyTheme(now);
            if (!snapshotMode) {
                profiles.putSetting(DARK, String.valueOf(now));
            }
        });

        TransferView transfer = new TransferView(new TransferViewModel(profiles, Platform::runLater, main::refresh), files);
        String css = Objects.requireNonNull(DesktopApp.class.getResource("ui/portway.css")).toExternalForm();
        AppActions actions = new AppActions(() -> showLog(stage, css),
                () -> AboutView.show(stage, new AboutView(AppInfo.current(dataDir), url -> getHostServices().showDocument(url),
                        DesktopApp::copyToClipboard)),
                () -> closeWindow(stage), snapshotMode ? null : startAtLogin, () -> showRelaySetup(stage, css));
        if (!snapshotMode) {
            followStartAtLogin(dev.portway.desktop.ui.tray.StartAtLogin.forThisApp());
        }
        MainView view = new MainView(main, dark, transfer, actions);
        Scene scene = new Scene(view, saved.bounds().width(), saved.bounds().height());
        scene.getStylesheets().add(css);
        stage.setScene(scene);
        stage.setMinWidth(760);
        stage.setMinHeight(520);
        place(stage, saved.bounds());
        stage.setOnCloseRequest(e -> {
            e.consume();
            if (tray != null) {
                // The tray keeps Portway running: tunnels and the embedded relay stay up with the window closed.
                saveBounds(stage);
                stage.hide();
                tray.windowClosed();
            } else {
                closeWindow(stage);
            }
        });
        boolean toTray = startInTray && !snapshotMode; // started at login: straight to the tray
        if (toTray) {
            installTray(stage);
        }
        if (tray == null) {
            stage.show();
        }
        if (!toTray && !snapshotMode) {
            Platform.runLater(() -> installTray(stage)); // after the first frame: the tray loads AWT
        }
        // For bench/desktop.sh: how long a person waits from launch (process start) to a window, and the CPU it took.
        timeline.mark(StartupTimeline.WINDOW_SHOWN);
        firstFrame.complete(null); // the database's migration may start
        main.load();
        // After the first frame (only the next start gains), but not behind the migration on io: the JVM writes the archive
        // at exit only into a folder that exists, and a quit during a slow migration must not lose it.
        work.execute(dev.portway.desktop.startup.ClassArchive::prepare);
        if (snapshotDir != null) {
            new SnapshotTaker(snapshotDir, scene, main, dark::set, io).start(ok -> {
                EXIT_CODE.set(ok ? 0 : 1);
                Platform.runLater(() -> closeWindow(stage));
            });
        }
    }

    /** The diagnostics checker, made on first use (on {@code portway-connect-*}). */
    private synchronized Diagnostics diagnostics() {
        if (diagnostics == null) {
            diagnosticsHttp = new okhttp3.OkHttpClient();
            diagnostics = new Diagnostics(diagnosticsHttp, Duration.ofSeconds(5), "portway-diagnostics/" + AppInfo.buildVersion());
        }
        return diagnostics;
    }

    private synchronized okhttp3.OkHttpClient diagnosticsHttpIfMade() {
        return diagnosticsHttp;
    }

    private void installTray(Stage stage) {
        if (tray != null) {
            return;
        }
        tray = dev.portway.desktop.ui.tray.TrayPresence.install(stage, DesktopApp.class.getResource("ui/icons/portway-32.png"), main,
                () -> raise(stage), () -> closeWindow(stage));
        if (tray != null) {
            Platform.setImplicitExit(false); // a hidden window is not the end
        }
    }

    private static void raise(Stage stage) {
        stage.show();
        stage.setIconified(false);
        stage.toFront();
    }

    /**
     * The tray's menu as it is now, with the same actions as the tray's (for tests: the headless platform has no tray).
     * FX thread, after {@link #start}.
     */
    public List<javafx.scene.control.MenuItem> trayMenu() {
        return dev.portway.desktop.ui.tray.TrayPresence.menu(main, () -> raise(window), () -> closeWindow(window));
    }

    /** Reads the start-at-login entry once (off the FX thread), then writes or removes it when the menu item is toggled. */
    private void followStartAtLogin(dev.portway.desktop.ui.tray.StartAtLogin login) {
        AtomicBoolean applying = new AtomicBoolean(true);
        CompletableFuture.supplyAsync(() -> {
            try {
                return login.isEnabled();
            } catch (java.io.IOException e) {
                LOG.warn("cannot read the start-at-login setting ({}): {}", login.where(), e.getMessage());
                return false;
            }
        }, io).thenAcceptAsync(on -> {
            startAtLogin.set(on);
            applying.set(false);
        }, Platform::runLater);
        startAtLogin.addListener((o, was, on) -> {
            if (applying.get()) {
                return;
            }
            io.execute(() -> {
                try {
                    if (on) {
                        login.enable();
                    } else {
                        login.disable();
                    }
                    LOG.info("start at login {}: {}", on ? "on" : "off", login.where());
                } catch (java.io.IOException e) {
                    LOG.error("cannot turn start at login {} ({}): {}", on ? "on" : "off", login.where(), e.getMessage());
                    Platform.runLater(() -> {
                        applying.set(true);
                        startAtLogin.set(was);
                        applying.set(false);
                    });
                }
            });
        });
    }

    /** "Set up my own relay…": a new dialog each time; the setup runs on the work executor. */
    private void showRelaySetup(Stage owner, String css) {
        RelaySetupViewModel vm = new RelaySetupViewModel(HostKeyPins.in(profiles), work, Platform::runLater,
                System.getenv("SSH_AUTH_SOCK"), BundledArchive.find().orElse(null),
                ready -> profiles.save(ready.profile("My relay", Profile.Kind.HTTP, 3000)).whenComplete((p, e) -> Platform.runLater(main::refresh)));
        RelaySetupView.show(owner, new RelaySetupView(vm), List.of(css));
    }

    /** The log window: made on first use, brought to the front after. */
    private void showLog(Stage owner, String css) {
        if (logWindow == null) {
            LogViewModel vm = new LogViewModel(logs, io, Platform::runLater, DesktopApp::copyToClipboard, ZoneId.systemDefault());
            logWindow = LogView.window(owner, new LogView(vm), List.of(css));
        }
        logWindow.show();
        logWindow.toFront();
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
        firstFrame.complete(null);
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

    private void saveBounds(Stage stage) {
        if (profiles != null && !snapshotMode) {
            WindowBounds b = WindowBounds.of(stage.getX(), stage.getY(), stage.getScene(), stage.isMaximized());
            profiles.putSetting(WindowBounds.SETTING, b.format());
        }
    }

    /** Saves where the window is, hides it, shuts down in the background, then exits the toolkit. */
    private void closeWindow(Stage stage) {
        if (stage.isShowing()) {
            saveBounds(stage);
        }
        if (tray != null) {
            tray.remove();
        }
        if (history != null) {
            history.flushAll(); // queued on the store thread before the store closes
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
            firstFrame.complete(null); // no migration is waiting for a window that will not come
            Thread.ofPlatform().name("portway-shutdown").start(() -> {
                try {
                    TunnelService t = tunnels;
                    if (t != null) {
                        t.close();
                    }
                    ticker.shutdownNow();
                    Replayer r = replayer;
                    if (r != null) {
                        r.close();
                    }
                    // Queued after any pending save, so nothing is lost.
                    io.execute(() -> {
                        HistoryStore h = historyStore;
                        if (h != null) {
                            h.close();
                        }
                        dev.portway.desktop.history.HistoryStore r2 = requestStore;
                        if (r2 != null) {
                            r2.close();
                        }
                        ProfileStore s = store;
                        if (s != null) {
                            s.close();
                        }
                    });
                    Threads.stop(io);
                    Threads.stop(work);
                    okhttp3.OkHttpClient http = diagnosticsHttpIfMade();
                    if (http != null) {
                        http.dispatcher().executorService().shutdown();
                        http.connectionPool().evictAll();
                    }
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
