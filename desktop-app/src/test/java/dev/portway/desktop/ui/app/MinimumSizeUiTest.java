package dev.portway.desktop.ui.app;

import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.testing.Layouts;
import dev.portway.desktop.ui.transfer.FilePicker;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The views issue 13 had not checked at the smallest window the app allows (760×520): Diagnostics (a tab of the
 * window), About, and Transfer's dialogs (export, the import preview) and "Share a folder…". At that size every key
 * control is wholly inside its window and no text is cut to "…"; a dialog fits inside 760×520 itself. The real app on
 * the headless platform; each state is saved to {@code target/screenshots/min-*.png} to be looked at.
 */
@Tag("ui")
class MinimumSizeUiTest {
    static final int WIDTH = 760;
    static final int HEIGHT = 520;
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private DesktopApp app;
    private Stage stage;

    @BeforeEach
    void start() throws Exception {
        Path file = Files.writeString(dir.resolve("team.json"), """
                {"format": "portway-profiles", "version": 2, "profiles": [
                  {"name": "Staging database of the payments team", "kind": "tcp", "local_host": "127.0.0.1", "local_port": 5432,
                   "relay": {"mode": "remote", "url": "wss://relay.payments.example.com:8443", "token": "t"}, "auto_connect": true},
                  {"name": "Docs", "kind": "folder", "options": {"folder": "/srv/www/documentation/site", "folder_listing": "on"}}]}
                """);
        FilePicker picker = new FilePicker() {
            @Override
            public Optional<Path> exportTo(Window owner) {
                return Optional.empty();
            }

            @Override
            public Optional<Path> importFrom(Window owner) {
                return Optional.of(file);
            }
        };
        FxToolkit.registerPrimaryStage();
        app = (DesktopApp) FxToolkit.setupApplication(() -> new DesktopApp(
                List.of("--data-dir", dir.resolve("data").toString(), "--relay-port", "0"), Function.identity(), picker));
        // 60 s: the first app of a test JVM also starts the toolkit, on a machine shared with other builds.
        await().atMost(Duration.ofSeconds(60)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        stage = (Stage) robot.lookup("#connectButton").query().getScene().getWindow();
        startSize = new double[]{stage.getWidth(), stage.getHeight()};
        robot.interact(() -> {
            stage.setWidth(WIDTH);
            stage.setHeight(HEIGHT);
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** The window's size before the test changed it: the primary stage is reused by the next test class. */
    private double[] startSize;

    @AfterEach
    void stop() throws Exception {
        robot.interact(() -> {
            stage.setWidth(startSize[0]);
            stage.setHeight(startSize[1]);
        });
        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
    }

    private void tab(String text) {
        robot.clickOn(robot.lookup(".tab-label").match((Label l) -> text.equals(l.getText())).queryAs(Label.class));
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** The dialog window that shows {@code id}, once it is up. */
    private Scene dialog(String id) {
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup(id).tryQuery().filter(Layouts::visibleInScene).isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        Node n = robot.lookup(id).query();
        Layouts.awaitSettled(n.getScene());
        return n.getScene();
    }

    private static void fitsAndNothingIsCut(Scene scene, String what, String... ids) {
        assertThat(scene.getWindow().getWidth()).as(what + " width").isLessThanOrEqualTo(WIDTH);
        assertThat(scene.getWindow().getHeight()).as(what + " height").isLessThanOrEqualTo(HEIGHT);
        assertThat(Layouts.cutTexts(scene)).as("text cut in " + what).isEmpty();
        assertThat(Layouts.notFullyShown(scene, ids)).as("controls not wholly shown in " + what).isEmpty();
    }

    private Path png(String name) {
        return Path.of("target", "screenshots", "min-" + name + ".png");
    }

    @Test
    void diagnosticsAboutTransferAndShareAFolderWorkAtTheMinimumSize() throws Exception {
        Scene main = stage.getScene();
        assertThat(main.getWidth()).isEqualTo(WIDTH);
        assertThat(main.getHeight()).isEqualTo(HEIGHT);

        // Diagnostics, run: the buttons, the summary and every step's title and result.
        tab("Diagnostics");
        robot.clickOn("#runDiagnostics");
        await().atMost(Duration.ofSeconds(60)).until(() -> !robot.lookup("#copyDiagnostics").queryAs(Button.class).isDisabled());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(Layouts.cutButtons(main)).as("buttons cut on Diagnostics").isEmpty();
        assertThat(Layouts.cutTexts(main)).as("text cut on Diagnostics").isEmpty();
        assertThat(Layouts.notFullyShown(main, "#runDiagnostics", "#copyDiagnostics", "#diagnosticsSummary", "#diagStep-DNS",
                "#appMenu", "#sidebarToggle")).isEmpty();
        Layouts.savePng(robot, main, png("diagnostics"));

        // About (F1).
        robot.push(KeyCode.F1);
        Scene about = dialog("#aboutDialog");
        fitsAndNothingIsCut(about, "About", "#aboutVersion", "#aboutDataDir", "#aboutCopyDataDir", "#aboutOS");
        Layouts.savePng(robot, about, png("about"));
        robot.interact(() -> about.getWindow().hide());

        // Transfer: the export question, then the import preview of a file with long names and a folder.
        robot.clickOn("#appMenu").clickOn("Export profiles…");
        Scene export = dialog("#includeSecrets");
        fitsAndNothingIsCut(export, "Export", "#includeSecrets");
        Layouts.savePng(robot, export, png("export"));
        robot.interact(() -> export.getWindow().hide());

        robot.clickOn("#appMenu").clickOn("Import profiles…");
        Scene preview = dialog("#importPreview");
        fitsAndNothingIsCut(preview, "Import preview", "#importPreviewScroll");
        assertThat(((DialogPane) preview.getRoot()).getButtonTypes()).isNotEmpty();
        for (Node b : preview.getRoot().lookupAll(".button")) {
            assertThat(Layouts.notFullyShown(preview, "#" + ensureId(b))).as("dialog button").isEmpty();
        }
        Layouts.savePng(robot, preview, png("import"));
        robot.interact(() -> preview.getWindow().hide());

        // Share a folder… (the list with its folder button has folded away at this width: the menu).
        robot.clickOn("#appMenu").clickOn("Share a folder…");
        Scene share = dialog("#folderField");
        fitsAndNothingIsCut(share, "Share a folder", "#folderField", "#chooseFolderButton", "#spaCheck", "#fallbackField",
                "#shareNameField", "#shareRequestedNameField", "#shareRelayChoice", "#shareFolderSave", "#shareFolderCancel");
        Layouts.savePng(robot, share, png("share-folder"));
        robot.clickOn("#shareFolderCancel");
    }

    private static int ids;

    private static String ensureId(Node n) {
        if (n.getId() == null) {
            n.setId("minSizeNode" + ids++);
        }
        return n.getId();
    }
}
