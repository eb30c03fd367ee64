package dev.portway.relay.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** Layering rules of the relay that the compiler does not enforce. */
class RelayArchitectureTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.portway.relay");

    /**
     * The visitor side reaches a tunnel only through {@code TunnelBackend} (a client session, an SSH connection or
     * another cluster node carry its streams alike), never through the client session itself.
     */
    @Test
    void ingressKnowsOnlyTheTunnelBackendNotTheClientSession() {
        noClasses().that().resideInAPackage("dev.portway.relay.ingress..")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.portway.relay.tunnel.Session")
                .check(classes);
    }
}
