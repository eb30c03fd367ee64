package dev.portway.desktop.cli;

import dev.portway.desktop.engine.DeliveryEvent;
import dev.portway.desktop.engine.RelayQueueStatus;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.shared.protocol.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PortwayCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private ConnectCommand.Request parse(Map<String, String> env, String... args) {
        CommandLine cli = PortwayCli.commandLine(env, new PrintWriter(out), new PrintWriter(err));
        CommandLine.ParseResult result = cli.parseArgs(args);
        ConnectCommand connect = (ConnectCommand) result.subcommand().commandSpec().userObject();
        return connect.validate();
    }

    private int run(String... args) {
        return PortwayCli.run(args, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void parsesRelayTokenKindPortAndName() {
        ConnectCommand.Request r = parse(Map.of(), "connect", "--relay", "ws://localhost:8080", "--token", "T", "http", "3000", "--name", "myapp");

        assertThat(r.relay()).isEqualTo(URI.create("ws://localhost:8080"));
        assertThat(r.token()).isEqualTo("T");
        assertThat(r.tunnel()).isEqualTo(new TunnelSpec("http", "myapp", "localhost", 3000, Map.of()));
    }

    @Test
    void acceptsHostAndPortTokenFromEnvironmentAndHttpRelayAddresses() {
        ConnectCommand.Request r = parse(Map.of("PORTWAY_TOKEN", "E"), "connect", "--relay", "https://relay.example.com", "tcp", "db.local:5432");

        assertThat(r.relay()).isEqualTo(URI.create("wss://relay.example.com"));
        assertThat(r.token()).isEqualTo("E");
        assertThat(r.tunnel().kind()).isEqualTo("tcp");
        assertThat(r.tunnel().localTarget()).isEqualTo("db.local:5432");
    }

    @Test
    void privateTcpTunnelAsksForPrivateAndShare() {
        ConnectCommand.Request r = parse(Map.of(), "connect", "--relay", "ws://r:8080", "--token", "T", "tcp", "22",
                "--name", "laptop", "--private", "--share", "alice,bob");

        assertThat(r.tunnel().options()).isEqualTo(Map.of("private", "true", "share", "alice,bob"));
    }

    @Test
    void privateIsForTcpAndShareNeedsPrivate() {
        assertThat(run("connect", "http", "3000", "--private")).isEqualTo(2);
        assertThat(err.toString()).contains("--private works for tcp tunnels only").hasLineCount(1);
        assertThat(run("connect", "tcp", "22", "--share", "alice")).isEqualTo(2);
        assertThat(err.toString()).contains("--share needs --private");
    }

    @Test
    void withoutRelayUsesTheEmbeddedOneOnPort8080() {
        ConnectCommand.Request r = parse(Map.of(), "connect", "http", "localhost:3000");

        assertThat(r.relay()).isNull();
        assertThat(r.embeddedPort()).isEqualTo(8080);
    }

    @Test
    void unknownKindExitsWith2AndSaysWhatToDo() {
        assertThat(run("connect", "udp", "3000")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown tunnel kind 'udp' — use http or tcp.").doesNotContain("Exception").hasLineCount(1);
    }

    @Test
    void portOutOfRangeExitsWith2() {
        assertThat(run("connect", "http", "70000")).isEqualTo(2);
        assertThat(err.toString()).contains("Port 70000 is out of range — use 1..65535.").hasLineCount(1);
    }

    @Test
    void badRelayUrlExitsWith2() {
        assertThat(run("connect", "--relay", "ftp://x", "--token", "t", "http", "3000")).isEqualTo(2);
        assertThat(err.toString()).contains("is not a URL like ws://").hasLineCount(1);
    }

    @Test
    void relayWithoutTokenExitsWith2() {
        assertThat(run("connect", "--relay", "ws://localhost:8080", "http", "3000")).isEqualTo(2);
        assertThat(err.toString()).contains("pass --token or set PORTWAY_TOKEN");
    }

    @Test
    void missingTargetExitsWith2() {
        assertThat(run("connect", "http")).isEqualTo(2);
        assertThat(err.toString()).startsWith("portway: ").hasLineCount(1);
    }

    @Test
    void queueAsksForAQueuedTunnel(@TempDir Path home) {
        ConnectCommand.Request r = parse(Map.of("HOME", home.toString()), "connect", "http", "3000", "--name", "hooks", "--queue");

        assertThat(r.tunnel().options()).isEqualTo(Map.of("queue", "on"));
        assertThat(r.dataDir()).isEqualTo(home.resolve(".local/share/portway"));
        assertThat(home.resolve(".local")).as("nothing created while parsing").doesNotExist();
    }

    @Test
    void dataDirFollowsXdgDataHomeOrTheOption(@TempDir Path dir) {
        assertThat(parse(Map.of("XDG_DATA_HOME", dir.toString()), "connect", "http", "3000").dataDir())
                .isEqualTo(dir.resolve("portway"));
        assertThat(parse(Map.of(), "connect", "http", "3000", "--data-dir", dir.resolve("x/y").toString()).dataDir())
                .isEqualTo(dir.resolve("x/y"));
    }

    @Test
    void aDataDirThatCannotBeCreatedExitsWith2(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");

        assertThat(run("connect", "http", "3000", "--data-dir", file.resolve("portway").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot be created").contains("is not a directory — pass another --data-dir")
                .hasLineCount(1);
    }

    @Test
    void queueOnATcpTunnelExitsWith2() {
        assertThat(run("connect", "tcp", "5432", "--queue")).isEqualTo(2);
        assertThat(err.toString()).contains("--queue works for http tunnels only").hasLineCount(1);
    }

    @Test
    void queueEventsAreSaidInWords() {
        Instant now = Instant.now();
        assertThat(ConsolePrinter.deliveryLine(new DeliveryEvent("d-1", "hooks", "POST", "/", "localhost:3000", 2, 200, true,
                null, null), now)).isEqualTo("Queued request d-1 delivered to localhost:3000 (attempt 2)");
        assertThat(ConsolePrinter.deliveryLine(new DeliveryEvent("d-1", "hooks", "POST", "/", "localhost:3000", 1, 0, false,
                "Nothing is listening on localhost:3000 — is your app running?", now.plusSeconds(4)), now))
                .isEqualTo("Queued request d-1 not delivered to localhost:3000 (attempt 1): Nothing is listening on localhost:3000"
                        + " — is your app running? Next try in 4 s.");
        assertThat(ConsolePrinter.relayQueueLine(new RelayQueueStatus("hooks", 8_100, 1024, 10_000, 64L << 20, "pressure"), "ok"))
                .isEqualTo("Warning: the relay's queue for hooks is over 80 % full (8100 of 10000 requests, 1.0 KiB of 64.0 MiB).");
        assertThat(ConsolePrinter.relayQueueLine(new RelayQueueStatus("hooks", 0, 0, 10_000, 64L << 20, "ok"), null)).isNull();
        assertThat(ConsolePrinter.relayQueueLine(new RelayQueueStatus("hooks", 10, 0, 10_000, 64L << 20, "ok"), "full"))
                .startsWith("The relay's queue for hooks is back to normal");
    }

    @Test
    void requestLineShowsMethodPathStatusTimeAndBytes() {
        RequestEvent ok = new RequestEvent("1", "myapp", "POST", "/hooks", 200, Duration.ofMillis(12), 1229, 340, null, null, Instant.now());
        RequestEvent down = new RequestEvent("2", "myapp", "GET", "/", 0, Duration.ofMillis(3), 0, 0,
                ErrorCode.TARGET_UNREACHABLE, "Nothing is listening on localhost:3000 — is your app running?", Instant.now());

        assertThat(ConsolePrinter.requestLine(ok)).matches("\\d\\d:\\d\\d:\\d\\d  POST /hooks  200  12 ms  1\\.2 KiB in  340 B out");
        assertThat(ConsolePrinter.requestLine(down)).endsWith("GET /  3 ms  0 B in  0 B out  Nothing is listening on localhost:3000 — is your app running?");
    }
}
