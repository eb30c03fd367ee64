package dev.portway.desktop.ui.app;

import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.ui.profiles.ProfileItemViewModel;
import dev.portway.desktop.ui.transfer.FilePicker;
import javafx.scene.control.ListView;
import javafx.scene.control.TextArea;
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

/** Export, then import the same file, through the real window; the file dialogs answer with {@link #file}. */
@Tag("ui")
class ProfileTransferUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private volatile Path file;
    private DesktopApp app;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("profiles.json");
        FilePicker picker = new FilePicker() {
            @Override
            public Optional<Path> exportTo(Window owner) {
                return Optional.of(file);
            }

            @Override
            public Optional<Path> importFrom(Window owner) {
                return Optional.of(file);
            }
        };
        FxToolkit.registerPrimaryStage();
        app = (DesktopApp) FxToolkit.setupApplication(() -> new DesktopApp(
                List.of("--data-dir", dir.resolve("data").toString(), "--relay-port", "0"), Function.identity(), picker));
        await().atMost(Duration.ofSeconds(30)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void stop() throws Exception {
        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
    }

    private List<String> listedNames() {
        ListView<ProfileItemViewModel> list = robot.lookup("#profileList").queryListView();
        return list.getItems().stream().map(i -> i.profile().name()).toList();
    }

    /** The texts of the toasts on screen now. */
    private List<String> toasts() {
        return robot.lookup("#toast").queryAllAs(javafx.scene.control.Label.class).stream().filter(l -> l.getScene().getWindow().isShowing())
                .map(javafx.scene.control.Label::getText).toList();
    }

    private void choose(String menuItem) {
        robot.clickOn("#appMenu");
        robot.clickOn(menuItem);
    }

    @Test
    void exportedProfilesImportBackAsCopiesAndABadFileChangesNothing() throws Exception {
        robot.clickOn("#duplicateButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> listedNames().equals(List.of("My app", "My app copy")));
        choose("Export profiles…");
        robot.clickOn("Export…");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file));
        assertThat(Files.readString(file)).contains("\"name\": \"My app\"", "\"format\": \"portway-profiles\"");
        // A toast like "Copied": it floats over the window, takes no room and goes away by itself.
        await().atMost(Duration.ofSeconds(10)).until(() -> toasts().stream().anyMatch(t -> t.startsWith("Exported 2 profiles to ")));
        assertThat(robot.lookup("#transferStatus").tryQuery()).isEmpty();
        await().atMost(Duration.ofSeconds(15)).until(() -> toasts().stream().noneMatch(t -> t.startsWith("Exported")));

        choose("Import profiles…");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#importPreview").tryQuery().isPresent());
        robot.clickOn("Import"); // what it adds is shown first; nothing has changed yet
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("Keep both").tryQuery().isPresent());
        robot.clickOn("#applyToAll"); // one question for both clashes
        robot.clickOn("Keep both");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> listedNames().equals(List.of("My app", "My app copy", "My app (2)", "My app copy (2)")));
        await().atMost(Duration.ofSeconds(10)).until(() -> toasts().stream().anyMatch(t -> t.startsWith("Imported: 2 ")));

        Files.writeString(file, "{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":[{\"name\":\"db\",\"kind\":\"tcp\",\"local_port\":70000}]}");
        choose("Import profiles…");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#problemList").tryQuery().isPresent());
        assertThat(robot.lookup("#problemList").queryAs(TextArea.class).getText())
                .isEqualTo("Profile 1 (\"db\"): local_port 70000 is out of range — use 1..65535.");
        robot.clickOn("OK");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(listedNames()).containsExactly("My app", "My app copy", "My app (2)", "My app copy (2)");
    }
}
