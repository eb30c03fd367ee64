package dev.portway.desktop.ui.app;

import dev.portway.desktop.testing.RunningApp;
import javafx.scene.control.CheckBox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The profile form's "Rewrite responses" section in the real app on the headless glass platform. */
@Tag("ui")
class ProfileRewriteUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private RunningApp running;

    @BeforeEach
    void start() throws Exception {
        running = RunningApp.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
    }

    private CheckBox box(String id) {
        return robot.lookup(id).queryAs(CheckBox.class);
    }

    @Test
    void rewritingIsOnForAnHttpProfileAndAnUntickedBoxIsKeptAfterSaving() {
        robot.clickOn("#editButton");
        assertThat(box("#rewriteRedirectsField").isSelected()).isTrue();
        assertThat(box("#rewriteCookiesField").isSelected()).isTrue();
        assertThat(box("#hideServerField").isSelected()).isFalse();

        // Set on the FX thread: the section may be below the form's visible part.
        robot.interact(() -> {
            box("#rewriteCookiesField").setSelected(false);
            box("#hideServerField").setSelected(true);
        });
        robot.clickOn("#saveButton");
        await().atMost(Duration.ofSeconds(15)).until(() -> robot.lookup("#editButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#editButton");

        assertThat(box("#rewriteCookiesField").isSelected()).isFalse();
        assertThat(box("#hideServerField").isSelected()).isTrue();
        assertThat(box("#rewriteRedirectsField").isSelected()).isTrue();
    }
}
