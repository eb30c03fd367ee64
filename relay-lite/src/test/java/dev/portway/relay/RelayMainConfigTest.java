package dev.portway.relay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** relay-lite's own options through the config file, PORTWAY_* variables and flags. */
class RelayMainConfigTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    RelayMain parse(Map<String, String> env, String... args) throws Exception {
        RelayMain app = new RelayMain();
        CommandLine cmd = RelayMain.commandLine(app, args, env, dir.resolve("default.properties"), err);
        cmd.parseArgs(args);
        return app;
    }

    @Test
    void everyRelayOptionIsAKeyAndPrecedenceIsFlagsEnvFileDefaults() throws Exception {
        Path f = Files.writeString(dir.resolve("relay.properties"), """
                port = 9000
                domain = tunnels.example.com
                token = from-file
                queue-max-bytes = 1MiB
                log-format = json
                """);
        RelayMain app = parse(Map.of("PORTWAY_PORT", "9100", "PORTWAY_TOKEN", "from-env"), "--config", f.toString(), "--port", "9200");
        assertThat(app.port).isEqualTo(9200);
        assertThat(app.token).isEqualTo("from-env");
        assertThat(app.domain).isEqualTo("tunnels.example.com");
        assertThat(app.queueMaxBytes).isEqualTo("1MiB");
        assertThat(app.logFormat).isEqualTo(RelayMain.LogFormat.JSON);
        assertThat(app.host).as("default").isEqualTo("0.0.0.0");

        app = parse(Map.of(), "--config", f.toString());
        assertThat(app.port).isEqualTo(9000);
        assertThat(app.token).isEqualTo("from-file");
    }

    @Test
    void theDefaultConfigFileIsReadWhenPresent() throws Exception {
        assertThat(parse(Map.of()).port).isEqualTo(8080);
        Files.writeString(dir.resolve("default.properties"), "port = 7000\n");
        assertThat(parse(Map.of()).port).isEqualTo(7000);
    }

    @Test
    void portwayTokenStillSetsTheToken() throws Exception {
        assertThat(parse(Map.of("PORTWAY_TOKEN", "s3cret")).token).isEqualTo("s3cret");
        assertThat(parse(Map.of("PORTWAY_TOKEN", "s3cret"), "--token", "flag").token).isEqualTo("flag");
    }

    @Test
    void unknownKeyStopsStartUpNamingFileLineAndSuggestion() throws Exception {
        Path f = Files.writeString(dir.resolve("relay.properties"), "port = 9000\ndata_dir = /x\ntcp-port = 1-2\n");
        int code = RelayMain.run(new String[]{"--config", f.toString()}, Map.of(), err);
        assertThat(code).isEqualTo(2);
        assertThat(err()).startsWith("relay-lite: " + f + " line 2: \"data_dir\" is not a valid key");

        Files.writeString(f, "port = 9000\ntcp-port = 1-2\n");
        errBytes.reset();
        assertThat(RelayMain.run(new String[]{"--config", f.toString()}, Map.of(), err)).isEqualTo(2);
        assertThat(err()).startsWith("relay-lite: " + f + " line 2: unknown key \"tcp-port\" — did you mean \"tcp-ports\"? "
                + "Allowed keys: port, host, domain, token, tcp-ports,");
        assertThat(err()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void badValuesStopStartUpNamingWhereTheyCameFrom() throws Exception {
        Path f = Files.writeString(dir.resolve("relay.properties"), "# relay\nport = http\n");
        assertThat(RelayMain.run(new String[]{"--config", f.toString()}, Map.of(), err)).isEqualTo(2);
        assertThat(err()).startsWith("relay-lite: " + f + " line 2: port = http is refused: ").contains("'http' is not an int");

        // values relay-lite checks itself (durations, sizes) say where they came from too
        Files.writeString(f, "# relay\ngrace = soon\n");
        errBytes.reset();
        String[] args = {"--config", f.toString(), "--data-dir", dir.resolve("data").toString()};
        assertThat(RelayMain.run(args, Map.of(), err)).isEqualTo(2);
        assertThat(err()).isEqualTo("relay-lite: --grace (from " + f + " line 2) must look like 30s, 500ms, 2m or 1h, not \"soon\".\n");

        Files.writeString(f, "grace = 5s\n");
        errBytes.reset();
        assertThat(RelayMain.run(args, Map.of("PORTWAY_QUEUE_MAX_BYTES", "lots"), err)).isEqualTo(2);
        assertThat(err()).contains("--queue-max-bytes (from environment variable PORTWAY_QUEUE_MAX_BYTES) must look like");

        errBytes.reset();
        assertThat(RelayMain.run(new String[]{"--log-format", "xml"}, Map.of(), err)).isEqualTo(2);
        assertThat(err()).contains("--log-format").contains("TEXT, JSON");
        assertThat(Files.exists(dir.resolve("data"))).as("nothing was created").isFalse();
    }

    @Test
    void wsCompressionIsOnOrOffFromFlagFileOrEnvAndAnythingElseStopsStartUp() throws Exception {
        assertThat(parse(Map.of()).wsCompression).as("default").isEqualTo("off");
        assertThat(dev.portway.shared.protocol.WsCompression.parse("--ws-compression", parse(Map.of(), "--ws-compression", "OFF").wsCompression))
                .isFalse();
        Path f = Files.writeString(dir.resolve("relay.properties"), "ws-compression = off\n");
        assertThat(parse(Map.of(), "--config", f.toString()).wsCompression).isEqualTo("off");
        assertThat(parse(Map.of("PORTWAY_WS_COMPRESSION", "on"), "--config", f.toString()).wsCompression).isEqualTo("on");

        Files.writeString(f, "ws-compression = maybe\n");
        String data = dir.resolve("data").toString();
        assertThat(RelayMain.run(new String[]{"--config", f.toString(), "--token", "t", "--data-dir", data}, Map.of(), err)).isEqualTo(2);
        assertThat(err()).isEqualTo("relay-lite: --ws-compression (from " + f + " line 1) must be on or off, not \"maybe\".\n");
        errBytes.reset();
        assertThat(RelayMain.run(new String[]{"--ws-compression", "yes", "--token", "t", "--data-dir", data}, Map.of(), err)).isEqualTo(2);
        assertThat(err()).isEqualTo("relay-lite: --ws-compression must be on or off, not \"yes\".\n");
        assertThat(Files.exists(dir.resolve("data"))).as("nothing was created").isFalse();
    }

    @Test
    void acmeFlagsThatCannotWorkStopStartUpSayingWhatToAdd() throws Exception {
        String data = dir.resolve("acme-data").toString();
        assertThat(RelayMain.run(new String[]{"--token", "t", "--data-dir", data, "--acme-email", "ops@example.com"}, Map.of(), err))
                .isEqualTo(2);
        assertThat(err()).contains("--acme-email needs --http-redirect-port").contains("Add --http-redirect-port 80.");
        errBytes.reset();
        assertThat(RelayMain.run(new String[]{"--token", "t", "--data-dir", data, "--acme-directory",
                "https://acme-staging-v02.api.letsencrypt.org/directory"}, Map.of(), err)).isEqualTo(2);
        assertThat(err()).contains("--acme-directory and --acme-ca-file need --acme-email");
        errBytes.reset();
        assertThat(RelayMain.run(new String[]{"--token", "t", "--data-dir", data, "--http-redirect-port", "0",
                "--acme-email", "not-an-address"}, Map.of(), err)).isEqualTo(2);
        assertThat(err()).contains("--acme-email needs an e-mail address");
    }
}
