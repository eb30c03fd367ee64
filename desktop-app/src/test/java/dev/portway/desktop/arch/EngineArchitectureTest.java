package dev.portway.desktop.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Module edges: the engine is UI-free (Netty only in its relay socket, {@code engine.relay}, and local leg, {@code engine.local}), so the
 * GUI and the CLI both sit on it; view models hold state and commands but never a {@code Node}, so they are tested
 * without a toolkit (STYLE.md).
 */
@Tag("arch")
class EngineArchitectureTest {
    private static final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.portway.desktop");

    @Test
    void engineKnowsNothingOfJavaFxNettyOrTheRelay() {
        noClasses().that().resideInAPackage("dev.portway.desktop.engine..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("javafx..", "dev.portway.relay..", "dev.portway.desktop.cli..", "dev.portway.desktop.ui..", "picocli..")
                .check(classes);
    }

    @Test
    void onlyTheNetworkPackagesUseNettyAndTheyNeverUseOkHttp() {
        // Netty moves the engine's bytes: the relay socket (engine.relay), the local leg (engine.local), and the engine
        // that owns their shared event loop group. Streams, sessions and handlers work on frames and streams only.
        noClasses().that().resideInAPackage("dev.portway.desktop.engine..")
                .and().resideOutsideOfPackages("dev.portway.desktop.engine.local..", "dev.portway.desktop.engine.relay..")
                .and().doNotHaveSimpleName("TunnelEngine")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..")
                .check(classes);
        noClasses().that().resideInAnyPackage("dev.portway.desktop.engine.local..", "dev.portway.desktop.engine.relay..")
                .should().dependOnClassesThat().resideInAnyPackage("okhttp3..", "okio..")
                .check(classes);
    }

    @Test
    void viewModelsNeverTouchTheSceneGraph() {
        noClasses().that().haveSimpleNameEndingWith("ViewModel")
                .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "javafx.stage..")
                .check(classes);
    }

    @Test
    void profilesAndQueueStoresKnowNothingOfJavaFx() {
        noClasses().that().resideInAnyPackage("dev.portway.desktop.profiles..", "dev.portway.desktop.queue..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..")
                .check(classes);
    }

    @Test
    void selfTestRunsWithoutAnyUiToolkit() {
        // --self-test must work on a machine with no display: nothing of JavaFX may load.
        noClasses().that().resideInAPackage("dev.portway.desktop.selftest..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "atlantafx..", "org.kordamp..")
                .check(classes);
    }
}
