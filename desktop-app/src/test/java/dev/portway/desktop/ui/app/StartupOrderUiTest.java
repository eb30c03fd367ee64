package dev.portway.desktop.ui.app;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.startup.StartupTimeline;
import javafx.scene.control.Label;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the real app does before its first frame (headless glass platform, a temp data dir, the real embedded relay):
 * the window comes first, the database's migration after it, the embedded relay only on the first Connect — and a
 * Connect as soon as the button is there still connects.
 */
@Tag("ui")
class StartupOrderUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private HttpServer local;
    private DesktopApp app;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.shutdown().get(15, TimeUnit.SECONDS);
        }
        FxToolkit.cleanupStages();
        if (local != null) {
            local.stop(0);
        }
    }

    private void launch() throws Exception {
        FxToolkit.registerPrimaryStage();
        app = (DesktopApp) FxToolkit.setupApplication(() -> new DesktopApp(
                List.of("--data-dir", dir.resolve("data").toString(), "--relay-port", "0"), Function.identity()));
    }

    private String text(String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    @Test
    void aFirstRunShowsTheWindowBeforeTheDatabaseHasItsTables() throws Exception {
        launch();

        await().atMost(Duration.ofSeconds(30)).until(() -> app.startupEvents().contains(StartupTimeline.APP_DATABASE_READY));
        assertThat(app.startupEvents()).containsExactly(StartupTimeline.WINDOW_SHOWN, StartupTimeline.APP_DATABASE_READY);
        // The first-run profile is written after the migration, and the window lists it.
        await().atMost(Duration.ofSeconds(30)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("My app").tryQuery()).isPresent();
    }

    @Test
    void connectAsSoonAsTheButtonIsThereStartsTheEmbeddedRelayAndConnects() throws Exception {
        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        local.createContext("/", exchange -> {
            byte[] body = "early".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        local.start();
        try (ProfileStore store = ProfileStore.open(dir.resolve("data"))) {
            store.save(new Profile(UUID.randomUUID().toString(), "Early", Profile.Kind.HTTP, "localhost", local.getAddress().getPort(),
                    Profile.RelayMode.EMBEDDED, null, null, "early", Map.of(), false));
        }
        launch();

        await().atMost(Duration.ofSeconds(30)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        assertThat(app.startupEvents()).doesNotContain(StartupTimeline.EMBEDDED_RELAY_STARTED);
        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> text("#statusText").equals("Connected") && !text("#publicUrl").isEmpty());
        try (Response r = dev.portway.desktop.testing.Visitors.client()
                .newCall(new Request.Builder().url(text("#publicUrl") + "x").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("early");
        }
        assertThat(app.startupEvents()).containsExactly(StartupTimeline.WINDOW_SHOWN, StartupTimeline.APP_DATABASE_READY,
                StartupTimeline.EMBEDDED_RELAY_STARTED);
    }
}
