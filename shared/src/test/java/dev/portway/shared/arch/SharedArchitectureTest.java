package dev.portway.shared.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The protocol module must stay free of every transport and UI library, so both ends can use it. */
class SharedArchitectureTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.portway.shared");

    @Test
    void sharedKnowsNothingOfTransportsOrUi() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.netty..", "okhttp3..", "javafx..", "org.apache.sshd..", "dev.portway.relay..", "dev.portway.desktop..")
                .check(classes);
    }
}
