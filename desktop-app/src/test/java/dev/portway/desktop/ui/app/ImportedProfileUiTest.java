package dev.portway.desktop.ui.app;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.ui.profiles.ProfileItemViewModel;
import dev.portway.desktop.ui.transfer.FilePicker;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.stage.Window;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hostile profiles file imported through the real window: the dialog shows each profile's target and relay with
 * the warnings before anything changes, and the imported auto-connect profiles do not connect when the app starts
 * again — while a profile the user set to auto-connect does.
 */
@Tag("ui")
class ImportedProfileUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private HttpServer local;
    private Path file;
    private DesktopApp app;

    @BeforeEach
    void start() throws Exception {
        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        local.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        local.start();
        int port = local.getAddress().getPort();
        try (ProfileStore store = ProfileStore.open(dir.resolve("data"))) {
            store.loadAll();
            store.save(new Profile(UUID.randomUUID().toString(), "Mine", Profile.Kind.HTTP, "localhost", port,
                    Profile.RelayMode.EMBEDDED, null, null, "mine", Map.of(), true));
        }
        file = Files.writeString(dir.resolve("hostile.json"), "{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":["
                + "{\"name\":\"Metadata\",\"kind\":\"http\",\"local_host\":\"169.254.169.254\",\"local_port\":80,"
                + "\"relay\":{\"mode\":\"remote\",\"url\":\"ws://203.0.113.66:8080\"},\"auto_connect\":true},"
                + "{\"name\":\"Theirs\",\"kind\":\"http\",\"local_port\":" + port + ",\"requested_name\":\"theirs\","
                + "\"auto_connect\":true}]}");
        FxToolkit.registerPrimaryStage();
        launch();
    }

    private void launch() throws Exception {
        FilePicker picker = new FilePicker() {
            @Override
            public Optional<Path> exportTo(Window owner) {
                return Optional.empty();
            }

            @Override
            public Optional<Path> importFrom(Window owner) {
                return Optional.of(file);
            }
        };
        app = (DesktopApp) FxToolkit.setupApplication(() -> new DesktopApp(
                List.of("--data-dir", dir.resolve("data").toString(), "--relay-port", "0"), Function.identity(), picker));
        await().atMost(Duration.ofSeconds(30)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void stop() throws Exception {
        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
        local.stop(0);
    }

    private List<ProfileItemViewModel> items() {
        ListView<ProfileItemViewModel> list = robot.lookup("#profileList").queryListView();
        return List.copyOf(list.getItems());
    }

    private EngineState state(String name) {
        return items().stream().filter(i -> i.profile().name().equals(name)).findFirst().orElseThrow()
                .connection().stateProperty().get();
    }

    @Test
    void importDialogShowsTheWarningsAndImportedProfilesDoNotConnectAtStart() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> state("Mine") == EngineState.CONNECTED);

        robot.clickOn("#appMenu");
        robot.clickOn("Import profiles…");
        await().atMost(Duration.ofSeconds(10)).until(() -> robot.lookup("#importPreview").tryQuery().isPresent());
        List<String> shown = robot.lookup("#importPreview .label").queryAllAs(Label.class).stream().map(Label::getText).toList();
        assertThat(shown).contains("1. Metadata — http 169.254.169.254:80 via relay ws://203.0.113.66:8080",
                "2. Theirs — http localhost:" + local.getAddress().getPort() + " via the embedded relay");
        assertThat(robot.lookup(".import-warning").queryAllAs(Label.class)).extracting(Label::getText).containsExactly(
                "⚠ 169.254.169.254 is a link-local or cloud metadata address — a tunnel to it can publish this machine's"
                        + " cloud credentials to anyone with the public address.",
                "⚠ relay ws://203.0.113.66:8080 is not one you use yet — whoever runs it sees all traffic of this tunnel.");
        assertThat(items()).as("nothing imported before the answer").hasSize(2);
        robot.clickOn("Import anyway");
        await().atMost(Duration.ofSeconds(10)).until(() -> items().size() == 4);
        assertThat(items()).filteredOn(i -> !i.profile().name().equals("Mine"))
                .allSatisfy(i -> assertThat(i.profile().autoConnect()).as(i.profile().name()).isFalse());

        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
        launch();
        await().atMost(Duration.ofSeconds(30)).until(() -> state("Mine") == EngineState.CONNECTED);
        // Auto-connect starts every marked profile in one pass at load: had they been marked, they would have left
        // DISCONNECTED by the time "Mine" connected.
        assertThat(state("Theirs")).isEqualTo(EngineState.DISCONNECTED);
        assertThat(state("Metadata")).isEqualTo(EngineState.DISCONNECTED);
    }
}
