package dev.portway.desktop.ui.app;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.ReconnectPolicy;
import dev.portway.desktop.ui.inspector.Exchange;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import okhttp3.OkHttpClient;
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

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real app on the headless glass platform: a temp data dir, the real embedded relay (any free port),
 * a real local HTTP server and a real visitor.
 */
@Tag("ui")
class DesktopAppUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private HttpServer local;
    private DesktopApp app;

    @BeforeEach
    void start() throws Exception {
        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        local.createContext("/", exchange -> {
            byte[] body = ("hello from " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        local.start();
        FxToolkit.registerPrimaryStage();
        app = (DesktopApp) FxToolkit.setupApplication(() -> new DesktopApp(
                List.of("--data-dir", dir.toString(), "--relay-port", "0"),
                c -> c.withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), 5))));
        await().atMost(Duration.ofSeconds(30)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void stop() throws Exception {
        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
        local.stop(0);
    }

    private void replaceText(String field, String text) {
        robot.clickOn(field).push(KeyCode.CONTROL, KeyCode.A).write(text);
    }

    private String text(String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    @Test
    void defaultProfilePointedAtALocalServerConnectsAndShowsItsRequests() throws IOException {
        robot.clickOn("#editButton");
        replaceText("#localPortField", String.valueOf(local.getAddress().getPort()));
        robot.clickOn("#saveButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();

        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> text("#statusText").equals("Connected") && !text("#publicUrl").isEmpty());
        String url = text("#publicUrl");
        assertThat(url).startsWith("http://my-app.localhost:");
        assertThat(robot.lookup("#connectButton").queryAs(Button.class).getText()).isEqualTo("Disconnect");

        try (Response r = visitor().newCall(new Request.Builder().url(url + "hello").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("hello from /hello");
        }

        robot.clickOn("Requests");
        TableView<Exchange> table = robot.lookup("#requestTable").queryTableView();
        assertThat(table.isVisible()).isTrue();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> table.getItems().stream()
                .anyMatch(x -> x.event().path().equals("/hello") && x.event().method().equals("GET") && x.event().status() == 200));

        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> text("#statusText").equals("Disconnected"));
    }

    @Test
    void invalidPortShowsTheMessageAndDisablesSave() {
        robot.clickOn("#editButton");
        replaceText("#localPortField", "99999");
        assertThat(text("#localPortProblem")).isEqualTo("Port must be a number from 1 to 65535.");
        assertThat(robot.lookup("#saveButton").queryAs(Button.class).isDisabled()).isTrue();

        replaceText("#localPortField", "3001");
        assertThat(robot.lookup("#localPortProblem").queryAs(Label.class).isVisible()).isFalse();
        assertThat(robot.lookup("#saveButton").queryAs(Button.class).isDisabled()).isFalse();
    }

    /** Real OkHttp with {@code *.localhost} resolving to loopback, as browsers do. */
    private static OkHttpClient visitor() {
        return dev.portway.desktop.testing.Visitors.client();
    }
}
