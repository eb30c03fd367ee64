package dev.portway.desktop.ui.inspector;

import atlantafx.base.theme.PrimerLight;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.history.RequestHistory;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.live.MetricsSampler;
import dev.portway.shared.protocol.ErrorCode;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new user met in the inspector, each found by using it: failed requests said "error" instead of the 502/503 the
 * visitor got, a filter with no match said "No requests yet", the count ignored the filter, the detail kept a request
 * the filter hid, and at wide windows the Status, Duration and Size columns disappeared.
 */
@Tag("ui")
class InspectorFindingsUiTest {
    private final FxRobot robot = new FxRobot();
    private InspectorViewModel vm;
    private Stage stage;

    @BeforeEach
    void show() throws Exception {
        Profile p = new Profile("7d1f6b0e-0000-4000-8000-00000000000a", "Shop", Profile.Kind.HTTP, "127.0.0.1", 9,
                Profile.RelayMode.EMBEDDED, null, null, "shop", Map.of(), false);
        stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            vm = new InspectorViewModel(() -> p, RequestHistory.inMemory(Platform::runLater), new Replayer(EngineConfig.DEFAULT_CAPTURE_LIMIT),
                    Platform::runLater, t -> {
            }, ZoneOffset.UTC);
            Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
            Scene scene = new Scene(new StackPane(new InspectorView(vm)), 1000, 640);
            scene.getStylesheets().add(Objects.requireNonNull(DesktopApp.class.getResource("ui/portway.css")).toExternalForm());
            s.setScene(scene);
            s.show();
        });
        robot.interact(() -> vm.onSample(new MetricsSampler.Sample(Instant.now(), 3, 1, 1, 1, 1, 3, 0, List.of(
                InspectorViewModelTest.event(1, "/ok", text("fine")),
                failed(2, "/down", ErrorCode.TARGET_UNREACHABLE),
                failed(3, "/resting", ErrorCode.TARGET_FAILING)))));
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void stop() throws Exception {
        FxToolkit.cleanupStages();
    }

    static RequestEvent failed(int n, String path, ErrorCode code) {
        return new RequestEvent("f" + n, "shop", "GET", path, 0, Duration.ofMillis(n), 0, 0, code,
                "localhost:9 refused the connection", Instant.parse("2026-01-01T12:00:00Z").plusSeconds(n));
    }

    private static CapturedBody text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new CapturedBody(b, b.length);
    }

    private TableView<Exchange> table() {
        return robot.lookup("#requestTable").queryTableView();
    }

    private String count() {
        return robot.lookup("#requestCount").queryAs(Label.class).getText();
    }

    private void filter(String text) {
        robot.interact(() -> robot.lookup("#requestFilter").queryAs(TextField.class).setText(text));
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void failedRequestsShowTheStatusTheVisitorGotAndTheFilterFindsIt() {
        Set<String> statuses = robot.lookup((TableCell<?, ?> c) -> c.getTableColumn() != null && "Status".equals(c.getTableColumn().getText())
                && c.getText() != null && !c.getText().isEmpty()).queryAllAs(TableCell.class).stream()
                .map(c -> c.getText()).collect(java.util.stream.Collectors.toSet());
        assertThat(statuses).containsExactlyInAnyOrder("200", "502", "503");

        filter("502");
        assertThat(table().getItems()).extracting(x -> x.event().path()).containsExactly("/down");
        filter("503");
        assertThat(table().getItems()).extracting(x -> x.event().path()).containsExactly("/resting");
    }

    @Test
    void statusCellsAreColouredByClass() {
        TableCell<?, ?> bad = robot.lookup((TableCell<?, ?> c) -> "502".equals(c.getText())).query();
        TableCell<?, ?> good = robot.lookup((TableCell<?, ?> c) -> "200".equals(c.getText())).query();
        assertThat(bad.getStyleClass()).contains("status-5xx");
        assertThat(good.getStyleClass()).contains("status-2xx");
    }

    @Test
    void filterWithNoMatchSaysSoAndTheCountFollowsTheFilter() {
        assertThat(count()).isEqualTo("3 requests");
        filter("/nothing-here");
        assertThat(table().getItems()).isEmpty();
        assertThat(((Label) table().getPlaceholder()).getText()).isEqualTo("No requests match “/nothing-here”.");
        assertThat(count()).isEqualTo("0 of 3 requests");
        filter("/do");
        assertThat(count()).isEqualTo("1 of 3 requests");
        filter("");
        assertThat(((Label) table().getPlaceholder()).getText()).startsWith("No requests yet");
    }

    @Test
    void detailClearsWhenTheFilterHidesTheSelectedRequest() {
        robot.clickOn((TableCell<?, ?> c) -> "/ok".equals(c.getText()));
        assertThat(robot.lookup("#requestLine").queryAs(Label.class).getText()).isEqualTo("POST /ok");
        filter("/down");
        assertThat(vm.selectedProperty().get()).isNull();
        assertThat(robot.lookup("#requestLine").queryAs(Label.class).getText()).isEmpty();
    }

    @Test
    void statusDurationAndSizeColumnsStayInsideTheTableAtEveryWidth() {
        for (double width : new double[]{700, 1000, 1160, 1300, 1440}) {
            robot.interact(() -> stage.setWidth(width));
            WaitForAsyncUtils.waitForFxEvents();
            robot.interact(() -> table().layout());
            TableView<Exchange> t = table();
            Bounds tableBox = t.localToScene(t.getLayoutBounds());
            for (String name : List.of("Status", "Duration", "Size")) {
                TableColumn<Exchange, ?> c = t.getColumns().stream().filter(col -> name.equals(col.getText())).findFirst().orElseThrow();
                assertThat(c.isVisible()).as(name + " at " + width).isTrue();
                Node header = t.lookupAll(".column-header").stream()
                        .filter(n -> n instanceof javafx.scene.control.skin.TableColumnHeader h && h.getTableColumn() == c).findFirst().orElseThrow();
                Bounds box = header.localToScene(header.getLayoutBounds());
                assertThat(box.getWidth()).as(name + " width at " + width).isGreaterThanOrEqualTo(50);
                assertThat(box.getMaxX()).as(name + " right edge at " + width).isLessThanOrEqualTo(tableBox.getMaxX() + 0.5);
            }
        }
    }

    @Test
    void listAndDetailStandSideBySideWithADividerThatIsRemembered() {
        robot.interact(() -> stage.setWidth(1300));
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.control.SplitPane split = robot.lookup("#inspectorSplit").queryAs(javafx.scene.control.SplitPane.class);
        assertThat(split.getOrientation()).isEqualTo(javafx.geometry.Orientation.HORIZONTAL);
        Node divider = split.lookupAll(".split-pane-divider").stream().filter(n -> n.getParent() == split).findFirst().orElseThrow();
        double before = split.getDividers().getFirst().getPosition();
        // Where a drag leaves the divider, then the person lets go of it.
        robot.interact(() -> split.setDividerPositions(before - 0.15));
        robot.moveTo(divider).press(javafx.scene.input.MouseButton.PRIMARY).release(javafx.scene.input.MouseButton.PRIMARY);
        WaitForAsyncUtils.waitForFxEvents();
        double kept = vm.layout().dividerProperty().get();
        assertThat(kept).isLessThan(before - 0.05);

        // The next inspector (another profile, or the app after a restart with the setting) opens with it.
        robot.interact(() -> stage.getScene().setRoot(new StackPane(new InspectorView(vm))));
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.control.SplitPane again = robot.lookup("#inspectorSplit").queryAs(javafx.scene.control.SplitPane.class);
        assertThat(again.getDividers().getFirst().getPosition()).isCloseTo(kept, org.assertj.core.data.Offset.offset(0.01));
        assertThat(InspectorLayout.parse(InspectorLayout.format(kept))).isCloseTo(kept, org.assertj.core.data.Offset.offset(0.001));
    }

    @Test
    void headersShowAsATableAndBodiesWrap() {
        robot.clickOn((TableCell<?, ?> c) -> "/ok".equals(c.getText()));
        TableView<?> headers = robot.lookup("#requestHeaders").queryTableView();
        assertThat(headers.getItems()).extracting(h -> ((dev.portway.shared.protocol.Header) h).name())
                .startsWith("Host", "X-Sig");
        assertThat(robot.lookup("#responseBody").queryAs(javafx.scene.control.TextArea.class).isWrapText()).isTrue();
    }
}
