package dev.portway.desktop.ui.app;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.ReconnectPolicy;
import dev.portway.desktop.testing.Layouts;
import dev.portway.desktop.ui.inspector.Exchange;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The desktop screenshot set of issue 13: the main views — Overview, a profile with the inspector, the editor,
 * Diagnostics and a shared folder — at 800×600 and 1440×900, light and dark, from the real app (real embedded relay,
 * a real local app, real requests through the public URL). No button may be cut to "…" in any of them. The PNGs go to
 * {@code desktop-<view>-<size>-<theme>.png} in {@code target/screenshots}, or in the folder the system property
 * {@code portway.screenshots} names; {@code docs/screenshots/README.md} says how to write them there.
 */
@Tag("ui")
class ScreenshotSetUiTest {
    @TempDir
    Path dir;
    @TempDir
    Path site;
    private final FxRobot robot = new FxRobot();
    private HttpServer local;
    private DesktopApp app;
    private Stage stage;
    private final Path out = Path.of(System.getProperty("portway.screenshots", "target/screenshots"));

    @BeforeEach
    void start() throws Exception {
        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        local.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            boolean missing = path.startsWith("/api/products");
            byte[] body = (missing ? "{\"error\":\"not found\"}" : path.startsWith("/webhooks")
                    ? "{\"status\":\"accepted\",\"queued\":true}" : "<!doctype html><title>Shop</title><h1>Shop</h1>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", path.equals("/") ? "text/html" : "application/json");
            exchange.sendResponseHeaders(missing ? 404 : path.startsWith("/webhooks") ? 202 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        local.start();
        Files.writeString(site.resolve("index.html"), "<!doctype html><title>Docs</title><h1>Docs</h1>");
        FxToolkit.registerPrimaryStage();
        app = (DesktopApp) FxToolkit.setupApplication(() -> new DesktopApp(
                List.of("--data-dir", dir.toString(), "--relay-port", "0"),
                c -> c.withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), 5))));
        // 60 s: the first app of a test JVM also starts the toolkit, on a machine shared with other builds.
        await().atMost(Duration.ofSeconds(60)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        stage = (Stage) robot.lookup("#connectButton").query().getScene().getWindow();
        startSize = new double[]{stage.getWidth(), stage.getHeight()};
    }

    /** The window's size before the test changed it: the primary stage is reused by the next test class. */
    private double[] startSize;

    @AfterEach
    void stop() throws Exception {
        robot.interact(() -> {
            stage.setWidth(startSize[0]);
            stage.setHeight(startSize[1]);
        });
        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
        local.stop(0);
    }

    private void replaceText(String field, String text) {
        robot.clickOn(field).push(KeyCode.CONTROL, KeyCode.A).push(KeyCode.BACK_SPACE).write(text);
    }

    private String text(String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    private void tab(String text) {
        robot.clickOn(robot.lookup(".tab-label").match((Label l) -> text.equals(l.getText())).queryAs(Label.class));
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** The profile list, kept from the start: below 900 px it folds out of the window but still selects. */
    private ListView<?> list;

    private void select(int profile) {
        robot.interact(() -> list.getSelectionModel().select(profile));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void size(int w, int h) {
        robot.interact(() -> {
            stage.setWidth(w);
            stage.setHeight(h);
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private final List<String> cut = new ArrayList<>();

    private void shoot(String view, String at, String theme) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        Scene scene = stage.getScene();
        Layouts.cutButtons(scene).forEach(b -> cut.add(view + " " + at + " " + theme + ": " + b));
        Layouts.savePng(robot, scene, out.resolve("desktop-" + view + "-" + at + "-" + theme + ".png"));
    }

    @Test
    void theMainViewsAt800By600And1440By900LightAndDark() throws Exception {
        list = robot.lookup("#profileList").queryAs(ListView.class);
        // "My app" on a real local app, connected, with a few requests.
        robot.clickOn("#editButton");
        replaceText("#localPortField", String.valueOf(local.getAddress().getPort()));
        robot.clickOn("#saveButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> text("#statusText").equals("Connected") && !text("#publicUrl").isEmpty());
        String url = text("#publicUrl");
        OkHttpClient visitor = dev.portway.desktop.testing.Visitors.client();
        for (Request r : List.of(new Request.Builder().url(url).build(),
                new Request.Builder().url(url + "webhooks/stripe?attempt=1").post(RequestBody.create(
                        "{\"order\":{\"id\":\"ord_1842\",\"items\":[{\"sku\":\"TEA-01\",\"qty\":2}],\"total\":31.5}}",
                        MediaType.get("application/json"))).build(),
                new Request.Builder().url(url + "api/products/42").build())) {
            try (Response response = visitor.newCall(r).execute()) {
                response.body().bytes();
            }
        }
        // The diagnostics of "My app", run once: the tab keeps the result for every picture.
        tab("Diagnostics");
        robot.clickOn("#runDiagnostics");
        await().atMost(Duration.ofSeconds(60)).until(() -> !robot.lookup("#copyDiagnostics").queryAs(Button.class).isDisabled());

        // A shared folder, connected.
        robot.clickOn("#shareFolderButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#folderField").tryQuery().isPresent());
        replaceText("#folderField", site.toString());
        replaceText("#shareNameField", "Docs");
        replaceText("#shareRequestedNameField", "docs");
        await().atMost(Duration.ofSeconds(10)).until(() -> !robot.lookup("#shareFolderSave").queryButton().isDisabled());
        robot.clickOn("#shareFolderSave");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> text("#statusText").equals("Connected") && !text("#publicUrl").isEmpty());
        try (Response response = visitor.newCall(new Request.Builder().url(text("#publicUrl")).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }

        for (String theme : List.of("light", "dark")) {
            if (theme.equals("dark")) {
                robot.clickOn("#themeToggle");
            }
            for (int[] s : new int[][]{{800, 600}, {1440, 900}}) {
                String at = s[0] + "x" + s[1];
                size(s[0], s[1]);
                select(0);
                tab("Overview");
                shoot("overview", at, theme);
                tab("Requests");
                TableView<Exchange> table = robot.lookup("#requestTable").queryTableView();
                await().atMost(Duration.ofSeconds(10)).until(() -> table.getItems().size() >= 3);
                robot.interact(() -> table.getSelectionModel().select(table.getItems().stream()
                        .filter(x -> x.event().method().equals("POST")).findFirst().orElseThrow()));
                shoot("inspector", at, theme);
                tab("Diagnostics");
                shoot("diagnostics", at, theme);
                robot.clickOn("#editButton");
                await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#saveButton").tryQuery().isPresent());
                shoot("editor", at, theme);
                robot.clickOn("#cancelButton");
                select(1);
                tab("Overview");
                shoot("folder", at, theme);
            }
        }
        assertThat(cut).as("buttons cut to …").isEmpty();
        for (String name : new String[]{"overview", "inspector", "diagnostics", "editor", "folder"}) {
            for (String at : new String[]{"800x600", "1440x900"}) {
                for (String theme : new String[]{"light", "dark"}) {
                    Path png = out.resolve("desktop-" + name + "-" + at + "-" + theme + ".png");
                    assertThat(Files.size(png)).as(png + " is kept small").isLessThan(150 * 1024);
                }
            }
        }
    }
}
