package dev.portway.desktop.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The engine is UI-free and transport-specific only to OkHttp: the GUI and the CLI both sit on it. */
class EngineArchitectureTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.portway.desktop");

    @Test
    void engineKnowsNothingOfJavaFxNettyOrTheRelay() {
        noClasses().that().resideInAPackage("dev.portway.desktop.engine..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("javafx..", "io.netty..", "dev.portway.relay..", "dev.portway.desktop.cli..", "dev.portway.desktop.ui..", "picocli..")
                .check(classes);
    }
}
