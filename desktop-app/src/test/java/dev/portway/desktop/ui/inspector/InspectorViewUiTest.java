package dev.portway.desktop.ui.inspector;

import atlantafx.base.theme.PrimerLight;
import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.history.RequestHistory;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.live.MetricsSampler;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.StackPane;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The inspector card on the headless glass platform: a request whose body was cut is edited, checked and sent. */
@Tag("ui")
class InspectorViewUiTest {
    private final FxRobot robot = new FxRobot();
    private final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    private HttpServer local;
    private Replayer replayer;
    private InspectorViewModel vm;

    @BeforeEach
    void show() throws Exception {
        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        local.createContext("/", ex -> {
            received.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        local.start();
        replayer = new Replayer(EngineConfig.DEFAULT_CAPTURE_LIMIT);
        Profile p = new Profile("7d1f6b0e-0000-4000-8000-000000000009", "Hooks", Profile.Kind.HTTP, "127.0.0.1", local.getAddress().getPort(),
                Profile.RelayMode.EMBEDDED, null, null, "hooks", Map.of(), false);
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(stage -> {
            vm = new InspectorViewModel(() -> p, RequestHistory.inMemory(Platform::runLater), replayer, Platform::runLater, s -> {
            }, ZoneOffset.UTC);
            Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
            Scene scene = new Scene(new StackPane(new InspectorView(vm)), 1000, 640);
            scene.getStylesheets().add(Objects.requireNonNull(DesktopApp.class.getResource("ui/portway.css")).toExternalForm());
            stage.setScene(scene);
            stage.show();
        });
        CapturedBody cut = new CapturedBody("{\"part\":".getBytes(StandardCharsets.UTF_8), 300_000);
        robot.interact(() -> vm.onSample(new MetricsSampler.Sample(Instant.now(), 1, 1, 1, 1, 1, 1, 0,
                List.of(InspectorViewModelTest.event(1, "/upload", cut)))));
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void stop() throws Exception {
        FxToolkit.cleanupStages();
        replayer.close();
        local.stop(0);
    }

    private boolean shown(String query) {
        Node n = robot.lookup(query).query();
        return n.isVisible() && n.isManaged();
    }

    /** What the box around Replay, Edit and replay and curl shows on hover (a disabled button shows no tooltip of its own). */
    private String whyGreyedOut() {
        Node commands = robot.lookup("#replayCommands").query();
        return commands.getProperties().get("javafx.scene.control.Tooltip") instanceof javafx.scene.control.Tooltip t ? t.getText() : null;
    }

    @Test
    void greyedOutReplaySaysWhyInATooltip() {
        assertThat(robot.lookup("#replayButton").queryButton().isDisabled()).isTrue();
        assertThat(whyGreyedOut()).isEqualTo("Select a request to replay it or copy it as curl.");

        robot.clickOn((TableCell<?, ?> c) -> "/upload".equals(c.getText()));
        assertThat(robot.lookup("#replayButton").queryButton().isDisabled()).isFalse();
        assertThat(whyGreyedOut()).isNull();

        // Refused by the breaker: the visitor got 503 from Portway, nothing reached the app, nothing was captured.
        robot.interact(() -> vm.onSample(new MetricsSampler.Sample(Instant.now(), 1, 1, 1, 1, 1, 1, 0,
                List.of(new dev.portway.desktop.engine.RequestEvent("r2", "hooks", "POST", "/refused", 503, Duration.ofMillis(1), 0, 0,
                        dev.portway.shared.protocol.ErrorCode.TARGET_FAILING, "paused", Instant.now())))));
        robot.clickOn((TableCell<?, ?> c) -> "/refused".equals(c.getText()));
        assertThat(robot.lookup("#replayButton").queryButton().isDisabled()).isTrue();
        assertThat(whyGreyedOut()).isEqualTo("Portway answered this request itself (503) and it never reached your app,"
                + " so nothing of it was kept to send again.");
    }

    @Test
    void aValidationMessageInEditAndReplayMovesNoFieldBelowIt() {
        robot.clickOn((TableCell<?, ?> c) -> "/upload".equals(c.getText()));
        robot.clickOn("#editReplayButton");
        WaitForAsyncUtils.waitForFxEvents();
        double pathY = robot.lookup("#replayPath").query().localToScene(0, 0).getY();

        robot.clickOn("#replayMethod").push(KeyCode.CONTROL, KeyCode.A).write("PO ST");
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(shown("#replayMethodProblem")).isTrue();
        assertThat(robot.lookup("#replayPath").query().localToScene(0, 0).getY()).isEqualTo(pathY);
    }

    @Test
    void truncatedRequestIsRefusedAsSentThenEditedCheckedAndSent() {
        robot.clickOn((TableCell<?, ?> c) -> "/upload".equals(c.getText()));
        assertThat(robot.lookup("#requestBodyNote").queryAs(Label.class).getText()).isEqualTo("Truncated at 8 bytes of 293.0 KiB");

        robot.clickOn("#replayButton");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#inspectorFeedback").queryAs(Label.class).getText()).contains("cannot be replayed as sent");
        assertThat(received).isEmpty();

        robot.clickOn("#editReplayButton");
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#replayMethod").push(KeyCode.CONTROL, KeyCode.A).write("PO ST");
        assertThat(shown("#replayMethodProblem")).isTrue();
        assertThat(robot.lookup("#replaySendButton").queryButton().isDisabled()).isTrue();
        robot.clickOn("#replayMethod").push(KeyCode.CONTROL, KeyCode.A).write("PUT");
        assertThat(shown("#replayMethodProblem")).isFalse();
        robot.clickOn("#replayBody").push(KeyCode.CONTROL, KeyCode.A).write("{\"part\":\"whole\"}");
        robot.clickOn("#replaySendButton");

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        assertThat(received).containsExactly("PUT /upload {\"part\":\"whole\"}");
        TableView<Exchange> table = robot.lookup("#requestTable").queryTableView();
        await().atMost(Duration.ofSeconds(5)).until(() -> table.getItems().size() == 2);
        assertThat(table.getItems().getFirst().replay()).isTrue();
        assertThat(table.getItems().getFirst().event().status()).isEqualTo(204);
    }
}
