package dev.portway.desktop.ui.relaysetup;

import dev.portway.desktop.relaysetup.HostKeyPins;
import dev.portway.desktop.relaysetup.SetupOptions;
import dev.portway.desktop.relaysetup.SetupOptions.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The dialog's certificate choice becomes the options' ACME choice, checked as the options check it. */
class RelaySetupViewModelTest {
    @TempDir
    Path dir;

    private RelaySetupViewModel model() throws IOException {
        Path archive = Files.createFile(dir.resolve("relay-lite-0.1.0.tar.gz"));
        RelaySetupViewModel vm = new RelaySetupViewModel(HostKeyPins.inMemory(), Runnable::run, Runnable::run, null, archive,
                r -> CompletableFuture.failedFuture(new IllegalStateException("not in this test")));
        vm.serverProperty().set("root@203.0.113.7");
        vm.keyFileProperty().set(dir.resolve("id_ed25519").toString());
        return vm;
    }

    @Test
    void selfSignedIsTheDefaultAndLetsEncryptNeedsOnlyAnEmail() throws IOException {
        RelaySetupViewModel vm = model();
        assertThat(vm.options(Mode.INSTALL).acme()).isNull();

        vm.acmeProperty().set(true);
        vm.acmeEmailProperty().set("ops@example.com");
        SetupOptions.Acme acme = vm.options(Mode.INSTALL).acme();
        assertThat(acme).isEqualTo(SetupOptions.Acme.letsEncrypt("ops@example.com"));
        assertThat(vm.options(Mode.REMOVE).acme()).as("nothing to certify on a removal").isNull();

        vm.acmeDirectoryProperty().set(" https://ca.internal:14000/dir ");
        vm.acmeHttpPortProperty().set("8080");
        vm.acmeCaFileProperty().set("/etc/portway/ca.pem");
        assertThat(vm.options(Mode.INSTALL).acme()).isEqualTo(new SetupOptions.Acme("ops@example.com",
                URI.create("https://ca.internal:14000/dir"), "/etc/portway/ca.pem", 8080));
    }

    @Test
    void badAcmeFieldsSayWhatToType() throws IOException {
        RelaySetupViewModel vm = model();
        vm.acmeProperty().set(true);
        assertThatThrownBy(() -> vm.options(Mode.INSTALL)).hasMessageContaining("Let's Encrypt needs an e-mail address");
        vm.acmeEmailProperty().set("ops");
        assertThatThrownBy(() -> vm.options(Mode.INSTALL)).hasMessageContaining("\"ops\" is not an e-mail address");
        vm.acmeEmailProperty().set("ops@example.com");
        vm.acmeHttpPortProperty().set("eighty");
        assertThatThrownBy(() -> vm.options(Mode.INSTALL)).hasMessageContaining("ACME HTTP port \"eighty\" is not a number");
        vm.acmeHttpPortProperty().set("99999");
        assertThatThrownBy(() -> vm.options(Mode.INSTALL)).hasMessageContaining("ACME HTTP port 99999 is not a port");
        vm.acmeHttpPortProperty().set("80");
        vm.acmeDirectoryProperty().set("https://ca example/dir");
        assertThatThrownBy(() -> vm.options(Mode.INSTALL)).hasMessageContaining("is not a URL");
        vm.acmeDirectoryProperty().set("");
        assertThatThrownBy(() -> vm.options(Mode.UPGRADE)).hasMessageContaining("An upgrade keeps the relay's configuration");
    }
}
