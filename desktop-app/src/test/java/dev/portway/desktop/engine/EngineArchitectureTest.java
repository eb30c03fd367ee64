package dev.portway.desktop.engine;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

class EngineArchitectureTest {

    @Test
    void engineKnowsNothingOfJavaFxOrTheCli() {
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.portway.desktop.engine");
        noClasses().that().resideInAPackage("dev.portway.desktop.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "dev.portway.desktop.cli..", "dev.portway.desktop.ui..")
                .check(classes);
    }
}
