package dev.portway.desktop.ui.main;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.profiles.ProfileService;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;
import dev.portway.desktop.ui.connect.TunnelService;
import dev.portway.desktop.ui.live.MetricsSampler;
import dev.portway.desktop.ui.transfer.FilePicker;
import dev.portway.desktop.ui.transfer.TransferView;
import dev.portway.desktop.ui.transfer.TransferViewModel;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Header;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The main window from 800×600 up, light and dark, with requests in the inspector: no button shows "…", the request
 * and response bodies keep a usable height, the charts keep theirs (the Overview scrolls). Each state is saved as a PNG
 * in {@code target/screenshots} to be looked at.
 */
@Tag("ui")
class LayoutUiTest {
    @TempDir
    Path dir;
    private final FxRobot robot = new FxRobot();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private ProfileStore store;
    private TunnelService tunnels;
    private MainViewModel vm;
    private ProfileService profiles;
    private Stage stage;

    @BeforeEach
    void open() throws Exception {
        store = ProfileStore.open(dir);
        tunnels = new TunnelService(new EmbeddedRelayHost(0), Runnable::run, ticker, Duration.ofHours(1), Platform::runLater,
                Clock.systemUTC(), Function.identity());
        FxToolkit.registerPrimaryStage();
        robot.interact(() -> {
            profiles = new ProfileService(store, Runnable::run);
            vm = new MainViewModel(profiles, tunnels, Platform::runLater, Clock.systemUTC(), s -> {
            }, s -> {
            });
            vm.load();
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> {
            vm.selectedProperty().set(vm.items().getFirst());
            vm.items().getFirst().inspector().onSample(new MetricsSampler.Sample(Instant.now(), 4, 1, 1, 1, 1, 4, 0, traffic()));
        });
    }

    @AfterEach
    void close() throws Exception {
        FxToolkit.cleanupStages();
        tunnels.close();
        ticker.shutdownNow();
        store.close();
    }

    private static List<RequestEvent> traffic() {
        Instant t = Instant.parse("2026-01-01T12:00:00Z");
        byte[] order = "{\"order\":{\"id\":\"ord_1842\",\"items\":[{\"sku\":\"TEA-01\",\"qty\":2},{\"sku\":\"MUG-07\",\"qty\":1}],\"total\":31.5}}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] ok = "{\"status\":\"accepted\",\"queued\":true}".getBytes(StandardCharsets.UTF_8);
        List<Header> req = List.of(new Header("Host", "shop.localhost:8080"), new Header("Content-Type", "application/json"),
                new Header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"), new Header("X-Forwarded-Proto", "http"),
                new Header("Stripe-Signature", "t=1767268800,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd"));
        List<RequestEvent> out = new ArrayList<>();
        out.add(new RequestEvent("a", "shop", "GET", "/", 200, Duration.ofMillis(4), 0, 5120, null, null, t,
                new CapturedExchange(req, CapturedBody.EMPTY, "OK", List.of(new Header("Content-Type", "text/html")),
                        new CapturedBody("<!doctype html><title>Shop</title>".getBytes(StandardCharsets.UTF_8), 5120))));
        out.add(new RequestEvent("b", "shop", "POST", "/webhooks/stripe?attempt=1", 202, Duration.ofMillis(23), order.length, ok.length,
                null, null, t.plusSeconds(2), new CapturedExchange(req, new CapturedBody(order, order.length), "Accepted",
                List.of(new Header("Content-Type", "application/json")), new CapturedBody(ok, ok.length))));
        out.add(new RequestEvent("c", "shop", "GET", "/api/products/42", 404, Duration.ofMillis(2), 0, 9, null, null, t.plusSeconds(3),
                new CapturedExchange(req, CapturedBody.EMPTY, "Not Found", List.of(), new CapturedBody("not found".getBytes(StandardCharsets.UTF_8), 9))));
        out.add(new RequestEvent("d", "shop", "GET", "/api/orders", 0, Duration.ofMillis(1), 0, 0, ErrorCode.TARGET_UNREACHABLE,
                "localhost:3000 refused the connection — is your app running?", t.plusSeconds(5)));
        return out;
    }

    private void show(double width, double height, boolean dark) {
        robot.interact(() -> {
            Application.setUserAgentStylesheet(dark ? new PrimerDark().getUserAgentStylesheet() : new PrimerLight().getUserAgentStylesheet());
            TransferView transfer = new TransferView(new TransferViewModel(profiles, Platform::runLater, vm::refresh), new FilePicker() {
                @Override
                public Optional<Path> exportTo(javafx.stage.Window owner) {
                    return Optional.empty();
                }

                @Override
                public Optional<Path> importFrom(javafx.stage.Window owner) {
                    return Optional.empty();
                }
            });
            Scene scene = new Scene(new MainView(vm, new SimpleBooleanProperty(dark), transfer), width, height);
            scene.getStylesheets().add(Objects.requireNonNull(DesktopApp.class.getResource("ui/portway.css")).toExternalForm());
            // A new window each time, as at a start of the app: a reused one keeps the size it had.
            if (stage != null) {
                stage.hide();
            }
            stage = new Stage();
            stage.setScene(scene);
            stage.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void tab(String id) {
        robot.interact(() -> {
            TabPane tabs = (TabPane) stage.getScene().lookup("#detailTabs");
            tabs.getSelectionModel().select(tabs.getTabs().stream().filter(t -> id.equals(t.getId())).findFirst().orElseThrow());
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private List<String> cutButtons() {
        return dev.portway.desktop.testing.Layouts.cutButtons(stage.getScene());
    }

    private double height(String query) {
        Node n = stage.getScene().lookup(query);
        Bounds b = n.localToScene(n.getLayoutBounds());
        return b.getHeight();
    }

    private void save(String name) throws Exception {
        dev.portway.desktop.testing.Layouts.savePng(robot, stage.getScene(), Path.of("target", "screenshots", name));
    }

    @Test
    void everyViewWorksAt800By600AndUpInBothThemes() throws Exception {
        for (boolean dark : new boolean[]{false, true}) {
            String theme = dark ? "dark" : "light";
            for (int[] size : new int[][]{{800, 600}, {1440, 900}}) {
                String at = size[0] + "x" + size[1];
                show(size[0], size[1], dark);
                tab("requestsTab");
                robot.interact(() -> vm.items().getFirst().inspector().selectedProperty().set(
                        vm.items().getFirst().inspector().rows().get(2))); // the POST with a JSON body
                WaitForAsyncUtils.waitForFxEvents();
                assertThat(cutButtons()).as("buttons cut on Requests at " + at + " " + theme).isEmpty();
                assertThat(height("#requestBody")).as("request body at " + at).isGreaterThanOrEqualTo(50);
                assertThat(height("#responseBody")).as("response body at " + at).isGreaterThanOrEqualTo(50);
                // At 800x600 the list stacks above the detail: a header and three rows, the bodies below keep theirs.
                assertThat(height("#requestTable")).as("request list at " + at).isGreaterThanOrEqualTo(90);
                save("inspector-" + at + "-" + theme + ".png");

                tab("overviewTab");
                assertThat(cutButtons()).as("buttons cut on Overview at " + at + " " + theme).isEmpty();
                for (String chart : List.of("#latencyChart", "#requestsChart", "#bytesChart", "#errorsChart")) {
                    assertThat(height(chart)).as(chart + " at " + at).isGreaterThanOrEqualTo(90);
                }
                save("layout-overview-" + at + "-" + theme + ".png");
            }
        }
        show(800, 600, false);
        robot.clickOn("#sidebarToggle");
        tab("requestsTab");
        save("layout-sidebar-open-800x600-light.png");
    }
}
