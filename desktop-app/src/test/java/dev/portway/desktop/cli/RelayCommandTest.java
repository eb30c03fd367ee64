package dev.portway.desktop.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code portway relay ...}: bad input says what to type and changes nothing (no connection is attempted). */
class RelayCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    @TempDir
    Path dir;

    private int run(String... args) {
        return PortwayCli.run(args, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void anUnknownActionIsAUsageError() {
        assertThat(run("relay", "reinstall", "root@example.com", "--key", "k", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("\"reinstall\" is not an action — use install, upgrade or remove.");
    }

    @Test
    void aServerWithoutUserIsAUsageError() {
        assertThat(run("relay", "remove", "example.com", "--key", "k", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("is not user@host");
    }

    @Test
    void noKeyAndNoAgentIsAUsageError() {
        assertThat(run("relay", "remove", "root@example.com", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("No SSH key: give a key file, or start an SSH agent");
    }

    @Test
    void installNeedsTheRelayArchive() {
        assertThat(run("relay", "install", "root@example.com", "--key", "k", "--archive", dir.resolve("nope.tar.gz").toString(),
                "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("No relay archive at");
    }

    @Test
    void aLowPortIsRefusedWithWhatToDo() {
        assertThat(run("relay", "remove", "root@example.com", "--key", "k", "--port", "443", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("use a port from 1024 up");
    }

    @Test
    void aBadAcmeEmailIsAUsageError() {
        assertThat(run("relay", "install", "root@example.com", "--key", "k", "--archive", dir.resolve("relay-lite-1.tar.gz").toString(),
                "--acme-email", "ops.example.com", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("\"ops.example.com\" is not an e-mail address — e.g. ops@example.com");
    }

    @Test
    void acmeOptionsWithoutAnEmailOrOnAnUpgradeAreUsageErrors() {
        assertThat(run("relay", "install", "root@example.com", "--key", "k", "--archive", dir.resolve("relay-lite-1.tar.gz").toString(),
                "--acme-http-port", "8080", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--acme-http-port need --acme-email");
        assertThat(run("relay", "install", "root@example.com", "--key", "k", "--archive", dir.resolve("relay-lite-1.tar.gz").toString(),
                "--acme-email", "ops@example.com", "--acme-http-port", "70000", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("ACME HTTP port 70000 is not a port");
        assertThat(run("relay", "upgrade", "root@example.com", "--key", "k", "--archive", dir.resolve("relay-lite-1.tar.gz").toString(),
                "--acme-email", "ops@example.com", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("An upgrade keeps the relay's configuration, certificates included");
    }
}
