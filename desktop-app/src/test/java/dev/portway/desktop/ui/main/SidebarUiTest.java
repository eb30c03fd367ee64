package dev.portway.desktop.ui.main;

import atlantafx.base.theme.PrimerLight;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.profiles.ProfileService;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;
import dev.portway.desktop.ui.connect.TunnelService;
import dev.portway.desktop.ui.profiles.ProfileListView;
import dev.portway.desktop.ui.transfer.FilePicker;
import dev.portway.desktop.ui.transfer.TransferView;
import dev.portway.desktop.ui.transfer.TransferViewModel;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sidebar grew wider on each restart: the window's outer width (decorations included) was saved and restored as
 * the content's width, and the sidebar took a fixed share (26 %) of it. Now the content size is saved and the sidebar
 * keeps its own width whatever the window's; it also folds away for small windows.
 */
@Tag("ui")
class SidebarUiTest {
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
            Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        });
    }

    @AfterEach
    void close() throws Exception {
        FxToolkit.cleanupStages();
        tunnels.close();
        ticker.shutdownNow();
        store.close();
    }

    private MainView show(double width, double height) {
        MainView[] view = new MainView[1];
        robot.interact(() -> {
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
            view[0] = new MainView(vm, new SimpleBooleanProperty(false), transfer);
            Scene scene = new Scene(view[0], width, height);
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
        return view[0];
    }

    private double sidebarWidth() {
        Node list = robot.lookup((Node n) -> n instanceof ProfileListView).query();
        return list.getLayoutBounds().getWidth();
    }

    @Test
    void sidebarKeepsItsWidthWhateverTheWindowWidth() {
        show(1100, 720);
        double first = sidebarWidth();
        for (double width : new double[]{920, 1440, 1100}) {
            show(width, 720);
            assertThat(sidebarWidth()).as("sidebar in a window " + width + " wide").isCloseTo(first, org.assertj.core.data.Offset.offset(3.0));
        }
    }

    @Test
    void threeRestartsKeepTheWindowAndTheSidebarAsTheyWere() {
        WindowBounds saved = WindowBounds.DEFAULT;
        double first = -1;
        for (int restart = 0; restart < 3; restart++) {
            show(saved.width(), saved.height());
            double w = sidebarWidth();
            first = first < 0 ? w : first;
            assertThat(w).as("sidebar after restart " + restart).isCloseTo(first, org.assertj.core.data.Offset.offset(3.0));
            // A window manager's frame makes the window larger than its content: what is saved is the content's size.
            saved = WindowBounds.parse(WindowBounds.of(stage.getX(), stage.getY(), stage.getScene(), stage.isMaximized()).format()).orElseThrow();
            assertThat(saved.width()).isEqualTo(WindowBounds.DEFAULT.width());
            assertThat(saved.height()).isEqualTo(WindowBounds.DEFAULT.height());
        }
    }

    @Test
    void sidebarFoldsAwayAndComesBack() {
        show(1000, 700);
        double open = sidebarWidth();
        robot.clickOn("#sidebarToggle");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup((Node n) -> n instanceof ProfileListView).tryQuery().map(Node::isVisible).orElse(false)).isFalse();
        robot.clickOn("#sidebarToggle");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(sidebarWidth()).isCloseTo(open, org.assertj.core.data.Offset.offset(3.0));
    }

    @Test
    void aSmallWindowFoldsTheSidebarByItself() {
        show(800, 600);
        assertThat(robot.lookup((Node n) -> n instanceof ProfileListView).tryQuery().map(SidebarUiTest::shownInScene).orElse(false)).isFalse();
        robot.clickOn("#sidebarToggle");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(sidebarWidth()).isGreaterThan(200);
    }

    private static boolean shownInScene(Node n) {
        return n.getScene() != null && n.getParent() != null && n.isVisible()
                && n.getScene().getRoot().lookupAll("*").contains(n);
    }
}
