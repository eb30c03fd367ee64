package dev.portway.desktop.testing;

import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.ui.transfer.FilePicker;
import javafx.stage.Stage;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.awaitility.Awaitility.await;

/**
 * The whole desktop app for a UI test, on the headless platform: started with a data folder of the test's own and the
 * embedded relay on any free port, waited for until its window shows a profile, and shut down again (relay, tunnels,
 * database) with its stages cleaned up. The primary stage is shared by every test class of the JVM, so a size a test
 * sets with {@link #size} is undone by {@link #close}.
 */
public final class RunningApp implements AutoCloseable {
    /** The first app of a test JVM also starts the toolkit, on a machine shared with other builds. */
    private static final Duration START = Duration.ofSeconds(60);

    private final List<String> args;
    private final Function<EngineConfig, EngineConfig> tune;
    private final FilePicker files;
    private final FxRobot robot = new FxRobot();
    private DesktopApp app;
    private Stage stage;
    private double[] startSize;

    private RunningApp(List<String> args, Function<EngineConfig, EngineConfig> tune, FilePicker files) {
        this.args = List.copyOf(args);
        this.tune = tune;
        this.files = files;
    }

    /** The app on {@code dataDir} with the engine as configured by default. */
    public static RunningApp start(Path dataDir) throws Exception {
        return start(dataDir, Function.identity());
    }

    /** @param tune adjusts each engine's config (e.g. faster reconnects) */
    public static RunningApp start(Path dataDir, Function<EngineConfig, EngineConfig> tune) throws Exception {
        return start(dataDir, tune, FilePicker.system());
    }

    /** @param files answers the export / import file dialogs */
    public static RunningApp start(Path dataDir, Function<EngineConfig, EngineConfig> tune, FilePicker files) throws Exception {
        RunningApp r = new RunningApp(List.of("--data-dir", dataDir.toString(), "--relay-port", "0"), tune, files);
        r.launch();
        return r;
    }

    private void launch() throws Exception {
        FxToolkit.registerPrimaryStage();
        app = (DesktopApp) FxToolkit.setupApplication(() -> new DesktopApp(args, tune, files));
        await().atMost(START).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        stage = (Stage) robot.lookup("#connectButton").query().getScene().getWindow();
    }

    public DesktopApp app() {
        return app;
    }

    /** The main window. */
    public Stage stage() {
        return stage;
    }

    /** Resizes the main window (undone by {@link #close}) and lets the layout settle. */
    public void size(double width, double height) {
        if (startSize == null) {
            startSize = new double[]{stage.getWidth(), stage.getHeight()};
        }
        robot.interact(() -> {
            stage.setWidth(width);
            stage.setHeight(height);
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Quits the app and starts it again on the same data folder, as a person restarting it would. */
    public void restart() throws Exception {
        stop();
        launch();
    }

    private void stop() throws Exception {
        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
    }

    @Override
    public void close() throws Exception {
        if (startSize != null) {
            double[] s = startSize;
            robot.interact(() -> {
                stage.setWidth(s[0]);
                stage.setHeight(s[1]);
            });
        }
        stop();
    }
}
