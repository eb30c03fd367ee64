package dev.portway.desktop.ui.app;

import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.engine.ReconnectPolicy;
import dev.portway.desktop.testing.Layouts;
import dev.portway.desktop.testing.RunningApp;
import dev.portway.desktop.ui.profiles.ProfileItemViewModel;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The connection card of a profile connected to several nodes of a relay cluster ("Connected to lb-1, lb-3",
 * PROTOCOL.md §3.3), in the real window: the profile connects for real to the embedded relay, then the engine
 * reports its sessions to cluster nodes, handed to the profile's connection the way the app's tunnel listener does.
 * At 1100×720 a short list shows whole; at the minimum size (760×520) and at 800×600 long node names are cut with a
 * tooltip that has them all, and push no button of the card or the header out of the window.
 */
@Tag("ui")
class HaConnectionCardUiTest {
    private static final String IDS = "#connectButton #copyButton #openButton #qrButton #editButton #duplicateButton #deleteButton";
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private RunningApp running;
    private Stage stage;

    @BeforeEach
    void start() throws Exception {
        running = RunningApp.start(dir,
                c -> c.withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), 5)));
        stage = running.stage();
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
    }

    private Label status() {
        return robot.lookup("#statusText").queryAs(Label.class);
    }

    private void size(int w, int h) {
        running.size(w, h);
    }

    /** What the engine reports once it holds sessions to these cluster nodes, delivered on the FX thread as the app does. */
    private void connectedTo(ProfileItemViewModel item, List<String> nodes) {
        robot.interact(() -> item.connection().onStatus(new EngineStatus(EngineState.CONNECTED,
                "Connected to " + String.join(", ", nodes) + ".", null, 0, 10, null, nodes)));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private String shown(Label l) {
        String[] t = new String[1];
        robot.interact(() -> t[0] = ((Text) l.lookup(".text")).getText());
        return t[0];
    }

    @Test
    void theCardListsTheClusterNodesAndLongNamesAreCutWithATooltipWithoutPushingButtonsOut() throws Exception {
        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> status().getText().equals("Connected") && !robot.lookup("#publicUrl").queryAs(Label.class).getText().isEmpty());
        @SuppressWarnings("unchecked")
        ListView<ProfileItemViewModel> list = robot.lookup("#profileList").queryAs(ListView.class);
        ProfileItemViewModel item = list.getItems().getFirst();

        size(1100, 720);
        connectedTo(item, List.of("lb-1", "lb-3"));
        assertThat(status().getText()).isEqualTo("Connected to lb-1, lb-3");
        assertThat(shown(status())).as("whole at 1100x720").isEqualTo("Connected to lb-1, lb-3");
        assertThat(Layouts.notFullyShown(stage.getScene(), IDS.split(" "))).isEmpty();
        Layouts.savePng(robot, stage.getScene(), Path.of("target", "screenshots", "ha-card-1100x720.png"));

        List<String> longNodes = List.of("relay-eu-west-1a.prod.internal", "relay-eu-west-1b.prod.internal",
                "relay-eu-central-1c.prod.internal", "relay-us-east-2a.prod.internal");
        String full = "Connected to " + String.join(", ", longNodes);
        connectedTo(item, longNodes);
        for (int[] s : new int[][]{{760, 520}, {800, 600}, {1100, 720}}) {
            size(s[0], s[1]);
            String at = " at " + s[0] + "x" + s[1];
            Layouts.savePng(robot, stage.getScene(), Path.of("target", "screenshots", "ha-card-long-" + s[0] + "x" + s[1] + ".png"));
            assertThat(Layouts.notFullyShown(stage.getScene(), IDS.split(" "))).as("buttons" + at).isEmpty();
            assertThat(Layouts.notFullyShown(stage.getScene(), "#statusText")).as("status line" + at).isEmpty();
            assertThat(Layouts.cutButtons(stage.getScene())).as("buttons cut" + at).isEmpty();
            Label l = status();
            if (!shown(l).equals(full)) {
                assertThat(l.getTooltip()).as("a cut status has a tooltip" + at).isNotNull();
                assertThat(l.getTooltip().getText()).as("the tooltip has every node" + at).isEqualTo(full);
            }
        }
        size(760, 520);
        assertThat(shown(status())).as("cut at the minimum").isNotEqualTo(full).startsWith("Connected to relay-eu-west-1a");
    }
}
