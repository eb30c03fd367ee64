package dev.portway.desktop.ui.app;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.ReconnectPolicy;
import dev.portway.desktop.ui.common.PngEncoder;
import dev.portway.desktop.ui.inspector.Exchange;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.Clipboard;
import javafx.scene.input.KeyCode;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inspector in the real app on the headless glass platform: real embedded relay, real local HTTP server,
 * real visitor. A request shows up, its detail shows the body, Replay reaches the local server again, Copy as curl
 * fills the clipboard, and the requests are still there after a restart.
 */
@Tag("ui")
class InspectorUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    private HttpServer local;
    private DesktopApp app;

    @BeforeEach
    void start() throws Exception {
        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        local.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body);
            byte[] answer = ("{\"received\":" + received.size() + ",\"path\":\"" + exchange.getRequestURI().getPath() + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        local.start();
        FxToolkit.registerPrimaryStage();
        launch();
    }

    private void launch() throws Exception {
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

    private String text(String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    private String area(String query) {
        return robot.lookup(query).queryAs(TextArea.class).getText();
    }

    @Test
    void requestShowsItsBodyReplayReachesTheLocalAppAgainCurlIsCopiedAndHistorySurvivesARestart() throws Exception {
        robot.clickOn("#editButton");
        robot.clickOn("#localPortField").push(KeyCode.CONTROL, KeyCode.A).write(String.valueOf(local.getAddress().getPort()));
        robot.clickOn("#saveButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> text("#statusText").equals("Connected") && !text("#publicUrl").isEmpty());
        String url = text("#publicUrl");

        String json = "{\"event\":\"order.paid\",\"note\":\"it's done\"}";
        try (Response r = visitor().newCall(new Request.Builder().url(url + "hooks?source=test")
                .post(RequestBody.create(json, MediaType.get("application/json"))).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
        }
        assertThat(received).containsExactly("POST /hooks?source=test " + json);

        openRequestsTab();
        TableView<Exchange> table = robot.lookup("#requestTable").queryTableView();
        await().atMost(Duration.ofSeconds(10)).until(() -> table.getItems().size() == 1);
        robot.clickOn((TableCell<?, ?> c) -> "/hooks?source=test".equals(c.getText()));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(text("#requestLine")).startsWith("POST /hooks?source=test");
        assertThat(area("#requestBody")).contains("\"event\" : \"order.paid\"").contains("\"note\" : \"it's done\"");
        assertThat(text("#requestBodyNote")).isEqualTo(json.length() + " bytes");
        assertThat(text("#responseLine")).startsWith("200 OK");
        assertThat(area("#responseBody")).contains("\"received\" : 1");

        robot.clickOn("#replayButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
        assertThat(received).containsExactly("POST /hooks?source=test " + json, "POST /hooks?source=test " + json);
        await().atMost(Duration.ofSeconds(5)).until(() -> table.getItems().size() == 2);
        assertThat(table.getItems().getFirst().replay()).isTrue();
        assertThat(robot.lookup((TableCell<?, ?> c) -> "↻".equals(c.getText())).tryQuery()).as("the row is marked").isPresent();
        assertThat(table.getItems().getFirst().event().status()).isEqualTo(200);
        assertThat(table.getSelectionModel().getSelectedItem()).as("selection survives the new row")
                .isSameAs(table.getItems().get(1));
        assertThat(text("#inspectorFeedback")).startsWith("Replayed POST /hooks?source=test: 200 OK");

        robot.clickOn("#copyCurlButton");
        WaitForAsyncUtils.waitForFxEvents();
        String[] clip = new String[1];
        robot.interact(() -> clip[0] = Clipboard.getSystemClipboard().getString());
        assertThat(clip[0]).startsWith("curl '" + url + "hooks?source=test'")
                .contains("-H 'Content-Type: application/json")
                .contains("--data-binary '{\"event\":\"order.paid\",\"note\":\"it'\\''s done\"}'")
                .doesNotContain("Portway-Request-Id").doesNotContain("X-Forwarded");
        screenshot();
        robot.clickOn("#captureLimitChoice");
        robot.clickOn("First 16 KiB");
        WaitForAsyncUtils.waitForFxEvents();

        // Restart: the requests come back from the history.
        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
        launch();
        openRequestsTab();
        TableView<Exchange> again = robot.lookup("#requestTable").queryTableView();
        await().atMost(Duration.ofSeconds(10)).until(() -> again.getItems().size() == 2);
        assertThat(again.getItems()).extracting(x -> x.event().path() + (x.replay() ? " replay" : ""))
                .containsExactly("/hooks?source=test replay", "/hooks?source=test");
        robot.clickOn((TableCell<?, ?> c) -> "POST".equals(c.getText()));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(area("#requestBody")).contains("\"event\" : \"order.paid\"");
        assertThat(robot.lookup("#captureLimitChoice").queryComboBox().getValue()).as("the capture setting was kept").isEqualTo(16 * 1024);
    }

    private void openRequestsTab() {
        robot.clickOn(robot.lookup(".tab-label").match((Label l) -> "Requests".equals(l.getText())).queryAs(Label.class));
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** For a person to look at, and for the README: target/desktop-inspector.png. */
    private void screenshot() throws IOException {
        WritableImage[] image = new WritableImage[1];
        robot.interact(() -> image[0] = robot.window(0).getScene().snapshot(null));
        int w = (int) image[0].getWidth();
        int h = (int) image[0].getHeight();
        int[] argb = new int[w * h];
        image[0].getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
        Files.write(Path.of("target", "desktop-inspector.png"), PngEncoder.encode(w, h, argb));
    }

    private static OkHttpClient visitor() {
        return dev.portway.desktop.testing.Visitors.client();
    }
}
