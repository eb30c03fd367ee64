package dev.portway.desktop.relaysetup;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The setup's input checks, and that the setup core stays UI-free. */
class SetupOptionsTest {
    private final SshTarget target = new SshTarget("root", "203.0.113.7", 22, Path.of("k"), null);

    @Test
    void userAtHostParsesWithAnOptionalPort() {
        SshTarget t = SshTarget.parse("alice@relay.example.com:2222", 22, Path.of("k"), null);
        assertThat(t.user()).isEqualTo("alice");
        assertThat(t.host()).isEqualTo("relay.example.com");
        assertThat(t.port()).isEqualTo(2222);
        assertThat(SshTarget.parse("root@203.0.113.7", 22, Path.of("k"), null).hostPort()).isEqualTo("203.0.113.7:22");
        assertThatThrownBy(() -> SshTarget.parse("root@", 22, Path.of("k"), null)).hasMessageContaining("is not user@host");
    }

    @Test
    void defaultsAreTheServersNameAndSudoForOthersThanRoot() {
        SetupOptions o = new SetupOptions(target, SetupOptions.Mode.REMOVE, null, 8443, null, null, null, null, null, null, false, null);
        assertThat(o.domain()).isEqualTo("203.0.113.7");
        assertThat(o.installRoot()).isEqualTo("/");
        assertThat(o.account()).isEqualTo("me");
        assertThat(SetupOptions.of(new SshTarget("alice", "h", 22, Path.of("k"), null), SetupOptions.Mode.REMOVE, null)
                .privilegeCommand()).isEqualTo("sudo -n");
        assertThat(SetupOptions.of(target, SetupOptions.Mode.REMOVE, null).privilegeCommand()).isEmpty();
    }

    @Test
    void badValuesSayWhatToType() {
        assertThatThrownBy(() -> new SetupOptions(target, SetupOptions.Mode.REMOVE, null, 8443, "bad domain!", null, null, null,
                null, null, false, null)).hasMessageContaining("is not a domain name");
        assertThatThrownBy(() -> new SetupOptions(target, SetupOptions.Mode.REMOVE, null, 8443, null, "20000", null, null,
                null, null, false, null)).hasMessageContaining("is not a port range");
        assertThatThrownBy(() -> new SetupOptions(target, SetupOptions.Mode.REMOVE, null, 8443, null, null, null, null,
                null, "Alice Smith", false, null)).hasMessageContaining("cannot be a relay account");
        assertThatThrownBy(() -> new SetupOptions(target, SetupOptions.Mode.INSTALL, Path.of("relay.zip"), 8443, null, null,
                null, null, null, null, false, null)).hasMessageContaining("No relay archive at");
    }

    @Test
    void archiveVersionsComeFromTheBuildsFileName() {
        assertThat(Archive.version(Path.of("relay-lite-0.1.0-SNAPSHOT.tar.gz"))).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(Archive.version(Path.of("relay-lite.tar.gz"))).isNull();
    }

    @Test
    void shellQuotingSurvivesQuotes() {
        assertThat(Shell.q("it's")).isEqualTo("'it'\\''s'");
    }

    @Test
    void theSetupCoreIsUiFree() {
        noClasses().that().resideInAPackage("dev.portway.desktop.relaysetup..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "dev.portway.desktop.ui..",
                        "dev.portway.desktop.cli..", "picocli..")
                .check(new ClassFileImporter().importPackages("dev.portway.desktop.relaysetup"));
    }
}
