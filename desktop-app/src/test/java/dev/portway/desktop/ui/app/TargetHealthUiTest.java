package dev.portway.desktop.ui.app;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.BreakerPolicy;
import dev.portway.desktop.engine.ReconnectPolicy;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * "Connected" while the local app is down: the real app with the real embedded relay, a profile pointed at a port
 * where nothing listens. The card and the sidebar dot turn amber as soon as it is connected (the target is probed at
 * Connect), the breaker's pause shows with its countdown once visitors have failed, and it all clears once the app runs.
 */
@Tag("ui")
class TargetHealthUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private DesktopApp app;
    private HttpServer local;
    private int port;

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // free again: nothing listens there
        }
        FxToolkit.registerPrimaryStage();
        app = (DesktopApp) FxToolkit.setupApplication(() -> new DesktopApp(
                List.of("--data-dir", dir.toString(), "--relay-port", "0"),
                c -> c.withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), 5))
                        .withBreaker(new BreakerPolicy(2, Duration.ofSeconds(60)))));
        await().atMost(Duration.ofSeconds(60)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void stop() throws Exception {
        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
        if (local != null) {
            local.stop(0);
        }
    }

    private String text(String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    /** Shown: the node and every parent visible. */
    private boolean visible(String query) {
        Node n = robot.lookup(query).tryQuery().orElse(null);
        for (; n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                return false;
            }
        }
        return robot.lookup(query).tryQuery().isPresent();
    }

    private boolean sidebarDotIsAmber() {
        return robot.lookup(".profile-list .status-dot").queryAll().stream().anyMatch(n -> n.getStyleClass().contains("target-down"));
    }

    @Test
    void aTargetThatDoesNotAnswerShowsAmberWithTheBreakersPauseUntilTheAppRuns() throws Exception {
        robot.clickOn("#editButton");
        robot.clickOn("#localPortField").push(KeyCode.CONTROL, KeyCode.A).write(String.valueOf(port));
        robot.clickOn("#saveButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();

        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions() // a first engine start runs Flyway: slow on a busy machine
                .until(() -> text("#statusText").equals("Connected") && !text("#publicUrl").isEmpty());
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> visible("#targetHealth") && text("#targetHealth").equals("localhost:" + port + " is not answering"));
        assertThat(sidebarDotIsAmber()).as("the sidebar dot is amber too").isTrue();
        assertThat(robot.lookup(".card-pane .status-dot").query().getStyleClass()).contains("target-down");
        assertThat(visible("#healthDiagnoseLink")).as("Diagnostics is offered").isTrue();

        String url = text("#publicUrl");
        for (int i = 0; i < 3; i++) { // two failures open the breaker, the third is refused by it
            try (Response r = dev.portway.desktop.testing.Visitors.client().newCall(new Request.Builder().url(url).build()).execute()) {
                assertThat(r.code()).isIn(502, 503);
            }
        }
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> text("#targetHealth").matches("localhost:" + port + " is not answering — paused for (59|60) s"));

        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        local.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        local.start();
        // The app answers again; the breaker still pauses requests until its trial (the person sees why).
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> text("#targetHealth").matches("localhost:" + port + " failed 2 times in a row — paused for \\d+ s"));
        assertThat(sidebarDotIsAmber()).isTrue();
    }

    @Test
    void aTargetThatAnswersStaysGreen() throws Exception {
        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        local.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        local.start();
        robot.clickOn("#editButton");
        robot.clickOn("#localPortField").push(KeyCode.CONTROL, KeyCode.A).write(String.valueOf(port));
        robot.clickOn("#saveButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions() // a first engine start runs Flyway: slow on a busy machine
                .until(() -> text("#statusText").equals("Connected") && !text("#publicUrl").isEmpty());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> !visible("#targetHealth") && !sidebarDotIsAmber());
    }
}
