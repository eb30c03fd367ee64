package dev.portway.desktop.ui.queue;

import atlantafx.base.theme.PrimerLight;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.RelayQueueStatus;
import dev.portway.desktop.ui.common.PngEncoder;
import javafx.application.Application;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.StackPane;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/** The queue card on the headless glass platform, over an in-memory queue. */
@Tag("ui")
class QueueViewUiTest {
    private final FxRobot robot = new FxRobot();
    private final QueueViewModelTest.MemoryQueue queue = new QueueViewModelTest.MemoryQueue();
    private QueueViewModel vm;

    @BeforeEach
    void show() throws Exception {
        queue.add("d1", "high", "POST", "/hooks/stripe", 3, "Nothing is listening on localhost:3000 — is your app running?");
        queue.add("d2", "normal", "PUT", "/hooks/github", 1, "The app answered 503");
        vm = new QueueViewModel(queue, Clock.fixed(Instant.parse("2026-01-01T12:00:00Z"), ZoneOffset.UTC), ZoneOffset.UTC);
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(stage -> {
            Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
            Scene scene = new Scene(new StackPane(new QueueView(vm)), 900, 360);
            scene.getStylesheets().add(Objects.requireNonNull(DesktopApp.class.getResource("ui/portway.css")).toExternalForm());
            stage.setScene(scene);
            stage.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void stop() throws Exception {
        FxToolkit.cleanupStages();
    }

    private boolean shown(String query) {
        Node n = robot.lookup(query).query();
        return n.isVisible() && n.isManaged();
    }

    @Test
    void rowsBadgeAndPressureBannerShow() throws Exception {
        assertThat(robot.lookup("#queueCount").queryAs(Label.class).getText()).isEqualTo("2");
        assertThat(robot.lookup("#queueTable").queryTableView().getItems()).hasSize(2);
        assertThat(shown("#queueRelayWarning")).isFalse();
        assertThat(robot.lookup("#queueRetry").queryButton().isDisabled()).as("nothing selected yet").isTrue();

        robot.interact(() -> vm.onRelayQueue(new RelayQueueStatus("hooks", 8_500, 1_000, 10_000, 64 << 20, "pressure")));
        assertThat(shown("#queueRelayWarning")).isTrue();
        snapshot();
    }

    @Test
    void discardAsksFirstThenRemovesTheSelectedRequest() {
        TableView<?> table = robot.lookup("#queueTable").queryTableView();
        robot.interact(() -> table.getSelectionModel().select(1));
        robot.clickOn("#queueDiscard");
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("Cancel");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(table.getItems()).hasSize(2);

        robot.clickOn("#queueDiscard");
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn((Button b) -> "Discard".equals(b.getText()) && b.getId() == null);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(table.getItems()).extracting(r -> ((QueueRow) r).deliveryId()).containsExactly("d1");
        assertThat(robot.lookup("#queueCount").queryAs(Label.class).getText()).isEqualTo("1");
    }

    /** For a person to look at: target/queue-view.png. */
    private void snapshot() throws Exception {
        WritableImage[] image = new WritableImage[1];
        robot.interact(() -> image[0] = robot.window(0).getScene().snapshot(null));
        int w = (int) image[0].getWidth();
        int h = (int) image[0].getHeight();
        int[] argb = new int[w * h];
        image[0].getPixelReader().getPixels(0, 0, w, h, javafx.scene.image.PixelFormat.getIntArgbInstance(), argb, 0, w);
        Files.write(Path.of("target", "queue-view.png"), PngEncoder.encode(w, h, argb));
    }
}
