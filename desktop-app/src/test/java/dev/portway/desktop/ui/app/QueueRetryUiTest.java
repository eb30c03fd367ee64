package dev.portway.desktop.ui.app;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.DeliveryPolicy;
import dev.portway.desktop.engine.ReconnectPolicy;
import dev.portway.desktop.ui.queue.QueueRow;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableView;
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

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client queue in the real app on the headless glass platform, with the real embedded relay and a real local
 * HTTP server: a webhook sent while the profile is offline is kept by the relay, delivered to the app on Connect,
 * refused by the local app (503) and waits in the Queue tab; once the local app is healthy, Retry now delivers it. The engine's own retry is ten minutes away, so only the button can have delivered it.
 */
@Tag("ui")
class QueueRetryUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean healthy = new AtomicBoolean(false);
    private HttpServer local;
    private DesktopApp app;

    @BeforeEach
    void start() throws Exception {
        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        local.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean ok = healthy.get();
            if (ok) {
                received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body);
            }
            exchange.sendResponseHeaders(ok ? 204 : 503, -1);
            exchange.close();
        });
        local.start();
        FxToolkit.registerPrimaryStage();
        DeliveryPolicy slow = new DeliveryPolicy(Duration.ofMinutes(10), 2.0, 0.1, Duration.ofMinutes(30), 2, Duration.ofSeconds(10));
        app = (DesktopApp) FxToolkit.setupApplication(() -> new DesktopApp(
                List.of("--data-dir", dir.toString(), "--relay-port", "0"),
                c -> c.withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), 5))
                        .withDelivery(slow)));
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

    @Test
    void aRefusedWebhookWaitsInTheQueueAndRetryNowDeliversIt() throws Exception {
        robot.clickOn("#editButton");
        robot.clickOn("#localPortField").push(KeyCode.CONTROL, KeyCode.A).write(String.valueOf(local.getAddress().getPort()));
        robot.clickOn("#queueField");
        robot.clickOn("#saveButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> text("#statusText").equals("Connected") && !text("#publicUrl").isEmpty());
        String url = text("#publicUrl");
        // Offline, the relay keeps the tunnel's webhooks (PROTOCOL.md §9.3); online they would pass straight through.
        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> text("#statusText").equals("Disconnected"));

        String json = "{\"event\":\"invoice.paid\"}";
        try (Response r = visitor().newCall(new Request.Builder().url(url + "hooks/billing")
                .post(RequestBody.create(json, MediaType.get("application/json"))).build()).execute()) {
            assertThat(r.code()).as("the relay accepts it for the queue").isEqualTo(202);
            assertThat(r.header("Portway-Delivery-Id")).isNotBlank();
        }
        robot.clickOn("#connectButton"); // the relay delivers it to the app's queue, which tries the local app once
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> text("#statusText").equals("Connected"));

        robot.clickOn(robot.lookup(".tab-label").match((Label l) -> "Queue".equals(l.getText())).queryAs(Label.class));
        WaitForAsyncUtils.waitForFxEvents();
        TableView<QueueRow> table = robot.lookup("#queueTable").queryTableView();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> table.getItems().size() == 1
                && table.getItems().getFirst().attempts().equals("1") && table.getItems().getFirst().lastError().contains("503"));
        assertThat(text("#queueCount")).isEqualTo("1");
        assertThat(table.getItems().getFirst().request()).isEqualTo("POST /hooks/billing");
        assertThat(received).as("the app refused it so far").isEmpty();

        healthy.set(true);
        robot.clickOn((TableCell<?, ?> c) -> "POST /hooks/billing".equals(c.getText()));
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#queueRetry");
        await().atMost(Duration.ofSeconds(15)).until(() -> received.size() == 1);
        assertThat(received).containsExactly("POST /hooks/billing " + json);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> table.getItems().isEmpty());
        await().alias("delivered once").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> received.size() == 1);
    }

    private static OkHttpClient visitor() {
        return dev.portway.desktop.testing.Visitors.client();
    }
}
