package dev.portway.desktop.ui.profiles;

import atlantafx.base.theme.PrimerLight;
import dev.portway.desktop.DesktopApp;
import javafx.application.Application;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.StackPane;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/** The profile form on the headless glass platform: validation messages have room of their own. */
@Tag("ui")
class ProfileFormViewUiTest {
    private final FxRobot robot = new FxRobot();
    private final ProfileEditViewModel vm = new ProfileEditViewModel(null);

    @BeforeEach
    void show() throws Exception {
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(stage -> {
            Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
            Scene scene = new Scene(new StackPane(new ProfileFormView(vm, () -> { }, () -> { })), 800, 600);
            scene.getStylesheets().add(Objects.requireNonNull(DesktopApp.class.getResource("ui/portway.css")).toExternalForm());
            stage.setScene(scene);
            stage.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void stop() throws Exception {
        FxToolkit.cleanupStages();
    }

    private double sceneY(String query) {
        Node n = robot.lookup(query).query();
        return n.localToScene(0, 0).getY();
    }

    @Test
    void aValidationMessageMovesNoFieldBelowIt() {
        double publicName = sceneY("#requestedNameField");
        double localPort = sceneY("#localPortField");

        robot.interact(() -> robot.lookup("#localPortField").queryAs(TextField.class).setText("99999"));
        WaitForAsyncUtils.waitForFxEvents();

        Label problem = robot.lookup("#localPortProblem").queryAs(Label.class);
        assertThat(problem.isVisible()).isTrue();
        assertThat(problem.getText()).isEqualTo("Port must be a number from 1 to 65535.");
        assertThat(sceneY("#localPortField")).isEqualTo(localPort);
        assertThat(sceneY("#requestedNameField")).isEqualTo(publicName);
    }

    @Test
    void theLocalProtocolChoiceSetsTheH2cOptionForGrpcApps() {
        @SuppressWarnings("unchecked")
        javafx.scene.control.ChoiceBox<String> protocol = robot.lookup("#localProtocolField").queryAs(javafx.scene.control.ChoiceBox.class);
        assertThat(protocol.getItems()).containsExactly("HTTP/1.1", "HTTP/2 (h2c, for gRPC)");
        assertThat(protocol.getValue()).isEqualTo("HTTP/1.1");
        assertThat(vm.options().localH2c()).isFalse();

        robot.interact(() -> protocol.setValue("HTTP/2 (h2c, for gRPC)"));
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(vm.options().localH2c()).isTrue();
        assertThat(vm.options().applyTo(java.util.Map.of(), dev.portway.desktop.profiles.Profile.Kind.HTTP))
                .containsEntry("local_protocol", "h2c");
    }
}
