package dev.portway.desktop.ui.app;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.diagnostics.AppInfo;
import dev.portway.desktop.diagnostics.Check;
import dev.portway.desktop.logging.LogBuffer;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real app on the headless platform: diagnostics against the real embedded relay and a real local server,
 * the keyboard shortcuts, the app menu's log window and the About box.
 */
@Tag("ui")
class DiagnosticsUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private HttpServer local;
    private DesktopApp app;

    @BeforeEach
    void start() throws Exception {
        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        local.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        local.start();
        FxToolkit.registerPrimaryStage();
        app = (DesktopApp) FxToolkit.setupApplication(() -> new DesktopApp(
                List.of("--data-dir", dir.toString(), "--relay-port", "0"), c -> c));
        await().atMost(Duration.ofSeconds(30)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void stop() throws Exception {
        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
        local.stop(0);
    }

    /** The node and all its parents are visible. */
    private static boolean shown(javafx.scene.Node n) {
        for (javafx.scene.Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    private String text(String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    @Test
    void diagnosticsPassThenNameTheLocalStepOnceTheLocalAppIsDown() {
        robot.clickOn("#editButton");
        robot.clickOn("#localPortField").push(KeyCode.CONTROL, KeyCode.A).write(String.valueOf(local.getAddress().getPort()));
        robot.clickOn("#saveButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#runDiagnostics").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();

        // The tab, not the card's "Diagnostics" link (there while the local target is down, hidden otherwise).
        robot.clickOn(robot.lookup("Diagnostics").match(DiagnosticsUiTest::shown).<javafx.scene.Node>query());
        robot.clickOn("#runDiagnostics");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .untilAsserted(() -> assertThat(text("#diagnosticsSummary")).isEqualTo("All checks passed."));
        for (Check c : Check.values()) {
            assertThat(text("#diagState-" + c.name())).as(c.title()).isEqualTo(c == Check.TLS ? "skipped" : "passed");
        }

        local.stop(0);
        robot.clickOn("#runDiagnostics");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> text("#diagnosticsSummary").startsWith("Failed: Local target reachable."));
        assertThat(text("#diagState-LOCAL_TCP")).isEqualTo("failed");
        assertThat(text("#diagHint-LOCAL_TCP")).contains("Is your app running?");
        assertThat(text("#diagState-AUTH")).isEqualTo("passed");
        assertThat(text("#diagState-LOCAL_ANSWERS")).isEqualTo("skipped");
    }

    @Test
    void ctrlNOpensTheNewProfileForm() {
        robot.clickOn("#profileTitle");
        robot.push(KeyCode.CONTROL, KeyCode.N);
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(robot.lookup("#nameField").queryAs(TextField.class).getText()).isEqualTo("New tunnel");
        assertThat(robot.lookup("New profile").tryQuery()).isPresent();
    }

    @Test
    void f1ShowsTheAboutBoxWithTheBuildVersion() {
        robot.clickOn("#profileTitle");
        robot.push(KeyCode.F1);
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#aboutVersion").tryQuery().isPresent());

        assertThat(AppInfo.buildVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(text("#aboutVersion")).isEqualTo("Version " + AppInfo.buildVersion());
        assertThat(text("#aboutProtocol")).isEqualTo("1");
        assertThat(robot.lookup("#aboutDataDir").queryLabeled().getText()).isEqualTo(dir.toString());
    }

    @Test
    void theAppMenuOpensTheLogWithTheAppsOwnLines() {
        LoggerFactory.getLogger("dev.portway.desktop.UiCheck").warn("a line for the log window");
        robot.clickOn("#appMenu");
        robot.clickOn("#menuLog");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#logLines").tryQuery().isPresent());

        ListView<LogBuffer.Entry> lines = robot.lookup("#logLines").queryListView();
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.getItems().stream()
                .anyMatch(e -> e.message().equals("a line for the log window")));
        robot.clickOn("#logSearch").write("no such words anywhere");
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.getItems().isEmpty());
    }

    @Test
    void theShortcutListNamesTheShortcuts() {
        robot.clickOn("#profileTitle");
        robot.push(KeyCode.CONTROL, KeyCode.SLASH);
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#shortcutList").tryQuery().isPresent());

        assertThat(robot.lookup("New profile").tryQuery()).isPresent();
        assertThat(robot.lookup("Connect or disconnect the selected profile").tryQuery()).isPresent();
    }

    @Test
    void aFailingConnectionOffersDiagnosticsThatNameTheStep() throws java.io.IOException {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        robot.clickOn("#editButton");
        robot.clickOn("A relay on the internet");
        robot.clickOn("#relayUrlField").write("ws://127.0.0.1:" + closed);
        robot.clickOn("#tokenField").write("t0ken");
        robot.clickOn("#saveButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#diagnoseLink").queryAs(javafx.scene.control.Hyperlink.class).isVisible()).isFalse();

        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> robot.lookup("#diagnoseLink").queryAs(javafx.scene.control.Hyperlink.class).isVisible());
        robot.clickOn("#diagnoseLink");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> text("#diagnosticsSummary").startsWith("Failed: TCP connects, Local target reachable."));
        assertThat(text("#diagState-TCP")).isEqualTo("failed");
        assertThat(text("#diagState-AUTH")).isEqualTo("skipped");
        robot.clickOn("#connectButton");
    }
}
