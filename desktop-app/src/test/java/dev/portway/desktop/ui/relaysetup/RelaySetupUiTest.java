package dev.portway.desktop.ui.relaysetup;

import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.ui.common.PngEncoder;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real app on the headless platform: the app menu's "Set up my own relay…" installs relay-lite on a real
 * OpenSSH server on loopback (a temporary install root, the relay's own launcher, no privilege command: the test
 * logs in as its own user), asking to trust the host key first; the new profile then shows in the list.
 */
@Tag("ui")
class RelaySetupUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private DesktopApp app;
    private dev.portway.desktop.relaysetup.UiSetupServer server;

    @BeforeEach
    void start() throws Exception {
        server = new dev.portway.desktop.relaysetup.UiSetupServer(dir.resolve("server"));
        FxToolkit.registerPrimaryStage();
        app = (DesktopApp) FxToolkit.setupApplication(() -> new DesktopApp(
                List.of("--data-dir", dir.resolve("app").toString(), "--relay-port", "0"), c -> c));
        await().atMost(Duration.ofSeconds(30)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void stop() throws Exception {
        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
        server.close();
    }

    @Test
    void theDialogInstallsARelayAfterTheHostKeyIsTrustedAndAddsItsProfile() throws Exception {
        robot.clickOn("#appMenu");
        robot.clickOn("#menuRelaySetup");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#setupServer").tryQuery().isPresent());
        robot.clickOn("#setupServer").write(server.userAtHost());
        set("#setupSshPort", String.valueOf(server.sshPort()));
        set("#setupKey", server.clientKey().toString());
        set("#setupRelayPort", String.valueOf(server.relayPort()));
        set("#setupDomain", "relay.test");
        set("#setupAccount", "alice");
        robot.clickOn("#setupAdvanced");
        set("#setupArchive", server.archive().toString());
        set("#setupRoot", server.root().toString());
        set("#setupSudo", "-");
        robot.clickOn("#setupLauncher");

        robot.clickOn("#setupInstall");
        await().atMost(Duration.ofSeconds(30)).until(() -> robot.lookup("#setupTrustKey").tryQuery().isPresent());
        assertThat(text("#setupHostKeyText")).contains(server.hostKeyFingerprint());
        robot.clickOn("#setupTrustKey");

        // Generous: on a loaded CI machine the relay JVM alone may take a minute to answer health.
        await().atMost(Duration.ofSeconds(300)).ignoreExceptions().until(() -> text("#setupSummary").contains("is ready"));
        assertThat(text("#setupSummary")).contains("wss://127.0.0.1:" + server.relayPort(), "sha256:");
        assertThat(text("#setupState-0")).isEqualTo("ok");
        // A step's server output opens (the step "Verify SHA-256 on the server" ran sha256sum there).
        TitledPane output = robot.lookup("#setupOutput-8").queryAs(TitledPane.class);
        robot.interact(() -> output.setExpanded(true));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(((TextArea) output.getContent()).getText()).contains("sha256sum");
        screenshot(Path.of("target", "relay-setup-install.png"));
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup((javafx.scene.control.Labeled l) -> "My relay".equals(l.getText())).tryQuery().isPresent());
    }

    private void set(String id, String value) {
        TextField f = robot.lookup(id).queryAs(TextField.class);
        robot.interact(() -> f.setText(value));
    }

    private String text(String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    /** For a person to look at (docs/screenshots/relay-setup-install.png is a copy). */
    private void screenshot(Path file) throws IOException {
        WritableImage[] image = new WritableImage[1];
        robot.interact(() -> {
            Window w = robot.lookup("#setupServer").query().getScene().getWindow();
            image[0] = w.getScene().snapshot(null);
        });
        int w = (int) image[0].getWidth();
        int h = (int) image[0].getHeight();
        int[] argb = new int[w * h];
        image[0].getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
        Files.write(file, PngEncoder.encode(w, h, argb));
    }
}
