package dev.portway.desktop.ui.app;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.engine.ReconnectPolicy;
import dev.portway.desktop.testing.Layouts;
import dev.portway.desktop.testing.RunningApp;
import dev.portway.desktop.ui.inspector.Exchange;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inspector in small windows, with real requests in its list (real embedded relay, real local server, real
 * visitor): at 800×600 at least 5 whole rows of the list and a detail with room for a few lines of each body, at the
 * minimum 760×520 at least 3 rows and the detail's lines and commands, and at 1100×720 at least 5 (it was 2). Each size is saved to {@code target/screenshots/inspector-*.png}.
 */
@Tag("ui")
class InspectorSmallWindowUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private HttpServer local;
    private RunningApp running;
    private Stage stage;

    @BeforeEach
    void start() throws Exception {
        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        local.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] answer = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        local.start();
        running = RunningApp.start(dir,
                c -> c.withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), 5)));
        stage = running.stage();
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
        local.stop(0);
    }

    private String text(String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    private void size(int w, int h) {
        running.size(w, h);
        robot.interact(() -> stage.getScene().getRoot().layout());
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Rows of the list that show a request and lie wholly inside the list's viewport. */
    private int wholeRows(TableView<Exchange> table) {
        int[] n = new int[1];
        robot.interact(() -> {
            Node viewport = table.lookup(".clipped-container");
            Bounds view = viewport.localToScene(viewport.getLayoutBounds());
            for (Node r : table.lookupAll(".table-row-cell")) {
                if (r instanceof TableRow<?> row && !row.isEmpty() && row.getItem() != null && row.isVisible()) {
                    Bounds b = row.localToScene(row.getLayoutBounds());
                    if (b.getHeight() > 1 && b.getMinY() >= view.getMinY() - 0.5 && b.getMaxY() <= view.getMaxY() + 0.5) {
                        n[0]++;
                    }
                }
            }
        });
        return n[0];
    }

    private double height(String id) {
        double[] h = new double[1];
        robot.interact(() -> h[0] = robot.lookup(id).query().getLayoutBounds().getHeight());
        return h[0];
    }

    @Test
    void theListShowsFiveWholeRowsAt800x600AndThreeAtTheMinimumWithTheDetailStillReadable() throws Exception {
        robot.clickOn("#editButton");
        robot.clickOn("#localPortField").push(KeyCode.CONTROL, KeyCode.A).write(String.valueOf(local.getAddress().getPort()));
        robot.clickOn("#saveButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> text("#statusText").startsWith("Connected") && !text("#publicUrl").isEmpty());
        String url = text("#publicUrl");
        OkHttpClient visitor = dev.portway.desktop.testing.Visitors.client();
        for (int i = 1; i <= 12; i++) {
            try (Response r = visitor.newCall(new Request.Builder().url(url + "orders/" + i).build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
            }
        }
        robot.clickOn(robot.lookup(".tab-label").match((Label l) -> "Requests".equals(l.getText())).queryAs(Label.class));
        WaitForAsyncUtils.waitForFxEvents();
        TableView<Exchange> table = robot.lookup("#requestTable").queryTableView();
        await().atMost(Duration.ofSeconds(10)).until(() -> table.getItems().size() == 12);
        robot.interact(() -> table.getSelectionModel().select(0));
        WaitForAsyncUtils.waitForFxEvents();

        size(1100, 720);
        int large = wholeRows(table);
        Layouts.savePng(robot, stage.getScene(), Path.of("target", "screenshots", "inspector-1100x720.png"));
        assertThat(large).as("whole rows at 1100x720").isGreaterThanOrEqualTo(5);

        for (int[] s : new int[][]{{800, 600, 5}, {760, 520, 3}}) {
            size(s[0], s[1]);
            Layouts.savePng(robot, stage.getScene(), Path.of("target", "screenshots", "inspector-" + s[0] + "x" + s[1] + ".png"));
            String at = " at " + s[0] + "x" + s[1];
            assertThat(wholeRows(table)).as("whole rows of the list" + at).isGreaterThanOrEqualTo(s[2]);
            // The detail stays usable: its lines, the commands and a few lines of each body.
            assertThat(Layouts.notFullyShown(stage.getScene(), "#requestLine", "#responseLine", "#replayButton", "#copyCurlButton",
                    "#requestBody", "#responseBody")).as("detail" + at).isEmpty();
            if (s[0] == 800) {
                assertThat(height("#requestBody")).as("request body height" + at).isGreaterThanOrEqualTo(48);
                assertThat(height("#responseBody")).as("response body height" + at).isGreaterThanOrEqualTo(48);
            }
        }

        size(1100, 720);
        assertThat(wholeRows(table)).as("back at 1100x720").isEqualTo(large);
    }
}
