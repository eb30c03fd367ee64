package dev.portway.desktop.ui.app;

import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.testing.Layouts;
import dev.portway.desktop.testing.RunningApp;
import javafx.scene.Node;
import javafx.scene.control.MenuItem;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tray's "Share a folder…" in the real app: with the window closed to the tray (hidden), the item brings the
 * window back and opens the folder-share dialog over it. The headless platform has no tray, so the test fires the
 * items of the app's tray menu model, the same items and actions the tray shows.
 */
@Tag("ui")
class TrayMenuUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private RunningApp running;
    private DesktopApp app;
    private Stage stage;

    @BeforeEach
    void start() throws Exception {
        running = RunningApp.start(dir);
        app = running.app();
        stage = running.stage();
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
    }

    private MenuItem trayItem(String text) {
        MenuItem[] found = new MenuItem[1];
        robot.interact(() -> found[0] = app.trayMenu().stream().filter(i -> text.equals(i.getText())).findFirst().orElse(null));
        assertThat(found[0]).as("tray menu item " + text + " in " + texts()).isNotNull();
        return found[0];
    }

    private List<String> texts() {
        @SuppressWarnings("unchecked")
        List<String>[] t = new List[1];
        robot.interact(() -> t[0] = app.trayMenu().stream().map(MenuItem::getText).toList());
        return t[0];
    }

    @Test
    void shareAFolderFromTheTrayRaisesTheHiddenWindowAndOpensTheDialogOverIt() throws Exception {
        assertThat(texts()).containsSubsequence("Share a folder…", "Open Portway", "Quit Portway");
        robot.interact(stage::hide); // closed to the tray
        assertThat(stage.isShowing()).isFalse();

        MenuItem share = trayItem("Share a folder…");
        robot.interact(share::fire);

        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#folderField").tryQuery().filter(Layouts::visibleInScene).isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(stage.isShowing()).as("the window is back").isTrue();
        assertThat(stage.isIconified()).isFalse();
        Node field = robot.lookup("#folderField").query();
        Stage dialog = (Stage) field.getScene().getWindow();
        assertThat(dialog).as("a dialog of its own").isNotSameAs(stage);
        assertThat(dialog.getOwner()).as("over the main window").isSameAs(stage);
        assertThat(dialog.isShowing()).isTrue();
        Layouts.savePng(robot, dialog.getScene(), Path.of("target", "screenshots", "tray-share-folder.png"));
        robot.clickOn("#shareFolderCancel");
        await().atMost(Duration.ofSeconds(10)).until(() -> !dialog.isShowing());
    }
}
