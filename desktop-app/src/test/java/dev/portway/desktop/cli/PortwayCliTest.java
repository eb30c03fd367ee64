package dev.portway.desktop.cli;

import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.shared.protocol.ErrorCode;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
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
    void requestLineShowsMethodPathStatusTimeAndBytes() {
        RequestEvent ok = new RequestEvent("1", "myapp", "POST", "/hooks", 200, Duration.ofMillis(12), 1229, 340, null, null, Instant.now());
        RequestEvent down = new RequestEvent("2", "myapp", "GET", "/", 0, Duration.ofMillis(3), 0, 0,
                ErrorCode.TARGET_UNREACHABLE, "Nothing is listening on localhost:3000 — is your app running?", Instant.now());

        assertThat(ConsolePrinter.requestLine(ok)).matches("\\d\\d:\\d\\d:\\d\\d  POST /hooks  200  12 ms  1\\.2 KiB in  340 B out");
        assertThat(ConsolePrinter.requestLine(down)).endsWith("GET /  3 ms  0 B in  0 B out  Nothing is listening on localhost:3000 — is your app running?");
    }
}
