package dev.portway.desktop.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code portway share DIR}: a folder tunnel spec, or a refusal that says what is wrong. */
class ShareCommandTest {
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private ConnectCommand.Request parse(String... args) {
        CommandLine cli = PortwayCli.commandLine(Map.of("PORTWAY_TOKEN", "T"), new PrintWriter(out), new PrintWriter(err));
        return ((ShareCommand) cli.parseArgs(args).subcommand().commandSpec().userObject()).validate();
    }

    private int run(String... args) {
        return PortwayCli.run(args, Map.of("PORTWAY_TOKEN", "T"), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void aFolderBecomesAnHttpTunnelServedByTheEngine() throws Exception {
        ConnectCommand.Request r = parse("share", dir.toString(), "--name", "docs", "--listing", "off", "--spa",
                "--relay", "wss://relay.example.com");
        assertThat(r.tunnel().kind()).isEqualTo("http");
        assertThat(r.tunnel().name()).isEqualTo("docs");
        assertThat(r.tunnel().folder()).isEqualTo(dir.toRealPath().toString());
        assertThat(r.tunnel().options()).containsEntry("folder_listing", "off").containsEntry("folder_spa", "on");
        assertThat(r.relay().toString()).startsWith("wss://relay.example.com");
    }

    @Test
    void aMissingFolderOrAFileOrABadListingValueIsRefused() throws Exception {
        assertThat(run("share", dir.resolve("nope").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("does not exist — check the path").contains("try: portway share");
        Path file = Files.writeString(dir.resolve("f.txt"), "x");
        assertThat(run("share", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("is a file, not a folder");
        assertThat(run("share", dir.toString(), "--listing", "maybe")).isEqualTo(2);
        assertThat(err.toString()).contains("--listing must be on or off, not 'maybe'.");
    }
}
