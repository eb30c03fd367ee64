package dev.portway.desktop.relaysetup;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

import java.net.URI;
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
    void acmeDefaultsToLetsEncryptOnPort80AndTheOtherWithersKeepIt() {
        SetupOptions.Acme acme = SetupOptions.Acme.letsEncrypt(" ops@example.com ");
        assertThat(acme.email()).isEqualTo("ops@example.com");
        assertThat(acme.directory()).isEqualTo(URI.create("https://acme-v02.api.letsencrypt.org/directory"));
        assertThat(acme.caFileOnServer()).isNull();
        assertThat(acme.httpPort()).isEqualTo(80);
        SetupOptions o = SetupOptions.of(target, SetupOptions.Mode.REMOVE, null).withAcme(acme);
        assertThat(o.withMode(SetupOptions.Mode.REMOVE).withRemoveData(true).withTarget(target).acme()).isEqualTo(acme);
        assertThat(o.withAcme(null).acme()).isNull();
        assertThat(new SetupOptions(target, SetupOptions.Mode.REMOVE, null, 8443, null, null, null, null, null, null, false,
                null).acme()).isNull();
    }

    @Test
    void badAcmeValuesSayWhatToType() {
        assertThatThrownBy(() -> SetupOptions.Acme.letsEncrypt("ops.example.com")).hasMessage("\"ops.example.com\" is not an "
                + "e-mail address — e.g. ops@example.com (Let's Encrypt writes there about expiring certificates).");
        assertThatThrownBy(() -> SetupOptions.Acme.letsEncrypt(" ")).hasMessageContaining("needs an e-mail address");
        assertThatThrownBy(() -> SetupOptions.Acme.letsEncrypt("ops@example.com\nport = 1")).hasMessageContaining("is not an e-mail address");
        assertThatThrownBy(() -> new SetupOptions.Acme("ops@example.com", null, null, 65536))
                .hasMessageContaining("ACME HTTP port 65536 is not a port");
        assertThatThrownBy(() -> new SetupOptions.Acme("ops@example.com", null, null, -1)).hasMessageContaining("is not a port");
        assertThatThrownBy(() -> new SetupOptions.Acme("ops@example.com", URI.create("http://ca.example/dir"), null, 80))
                .hasMessageContaining("give its https:// URL");
        assertThatThrownBy(() -> new SetupOptions.Acme("ops@example.com", null, "ca.pem", 80))
                .hasMessageContaining("must be an absolute path on the server");
        SetupOptions o = SetupOptions.of(target, SetupOptions.Mode.REMOVE, null);
        assertThatThrownBy(() -> o.withAcme(new SetupOptions.Acme("ops@example.com", null, null, 8443)))
                .hasMessageContaining("The ACME HTTP port and the relay port are both 8443");
    }

    @Test
    void configWritesTheAcmeKeysTheRelayReads() {
        ServerLayout layout = new ServerLayout("/");
        SetupOptions plain = SetupOptions.of(target, SetupOptions.Mode.REMOVE, null);
        assertThat(FileSteps.config(plain, layout, true)).contains("tls = true\n").doesNotContain("acme", "http-redirect-port");
        assertThat(FileSteps.capabilityDropIn(plain)).isNull();

        SetupOptions le = plain.withAcme(SetupOptions.Acme.letsEncrypt("ops@example.com"));
        assertThat(FileSteps.config(le, layout, true)).contains("tls = true\n", "\nacme-email = ops@example.com\n",
                "\nhttp-redirect-port = 80\n").doesNotContain("acme-directory", "acme-ca-file");
        assertThat(FileSteps.capabilityDropIn(le)).contains("[Service]\n", "\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n",
                "\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n");

        SetupOptions privateCa = plain.withAcme(new SetupOptions.Acme("ops@example.com", URI.create("https://ca.internal:14000/dir"),
                "/etc/portway/ca.pem", 8080));
        assertThat(FileSteps.config(privateCa, layout, false)).contains("\nacme-directory = https://ca.internal:14000/dir\n",
                "\nacme-ca-file = /etc/portway/ca.pem\n", "\nhttp-redirect-port = 8080\n");
        assertThat(FileSteps.capabilityDropIn(privateCa)).as("no capability for a port from 1024 up").isNull();
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
