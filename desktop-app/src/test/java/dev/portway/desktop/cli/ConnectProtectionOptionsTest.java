package dev.portway.desktop.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code connect --basic-auth/--allow/--deny/--fingerprint}: parsed into bind options and a pin, or refused clearly. */
class ConnectProtectionOptionsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private static final String PIN = "sha256:" + "0f".repeat(32);

    private ConnectCommand.Request parse(String... args) {
        CommandLine cli = PortwayCli.commandLine(Map.of("PORTWAY_TOKEN", "T"), new PrintWriter(out), new PrintWriter(err));
        CommandLine.ParseResult result = cli.parseArgs(args);
        return ((ConnectCommand) result.subcommand().commandSpec().userObject()).validate();
    }

    private int run(String... args) {
        return PortwayCli.run(args, Map.of("PORTWAY_TOKEN", "T"), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void protectionFlagsBecomeBindOptions() {
        ConnectCommand.Request r = parse("connect", "--relay", "wss://relay.example.com", "http", "3000",
                "--basic-auth", "alice:s3cret:x", "--allow", "203.0.113.0/24,2001:db8::/32", "--allow", "10.0.0.1",
                "--deny", "203.0.113.9");
        assertThat(r.tunnel().options()).isEqualTo(Map.of("basic_auth", "alice:s3cret:x",
                "ip_allow", "203.0.113.0/24,2001:db8::/32,10.0.0.1", "ip_deny", "203.0.113.9"));
        assertThat(r.fingerprint()).isNull();
    }

    @Test
    void aTcpTunnelTakesIpListsButNotBasicAuth() {
        assertThat(parse("connect", "tcp", "5432", "--deny", "198.51.100.0/24").tunnel().options())
                .isEqualTo(Map.of("ip_deny", "198.51.100.0/24"));
        assertThat(run("connect", "tcp", "5432", "--basic-auth", "a:b")).isEqualTo(2);
        assertThat(err.toString()).contains("--basic-auth works for http tunnels only").hasLineCount(1);
    }

    @Test
    void badProtectionValuesExitWith2AndSayWhatToWrite() {
        assertThat(run("connect", "http", "3000", "--basic-auth", "alice")).isEqualTo(2);
        assertThat(err.toString()).contains("--basic-auth must be USER:PASSWORD");
        assertThat(run("connect", "http", "3000", "--allow", "example.com")).isEqualTo(2);
        assertThat(err.toString()).contains("--allow 'example.com' is not an IP address or CIDR block");
        assertThat(run("connect", "http", "3000", "--queue", "--deny", "10.0.0.0/8")).isEqualTo(2);
        assertThat(err.toString()).contains("--queue cannot be combined");
    }

    @Test
    void fingerprintPinsAWssRelay() {
        ConnectCommand.Request r = parse("connect", "--relay", "wss://relay.example.com", "http", "3000",
                "--fingerprint", PIN.toUpperCase().replace("SHA256", "sha256"));
        assertThat(r.fingerprint()).isEqualTo(PIN);
    }

    @Test
    void fingerprintNeedsATlsRelayAndTheRightShape() {
        assertThat(run("connect", "--relay", "ws://relay.example.com", "http", "3000", "--fingerprint", PIN)).isEqualTo(2);
        assertThat(err.toString()).contains("--fingerprint is for a TLS relay: its address must start with wss://");
        assertThat(run("connect", "http", "3000", "--fingerprint", PIN)).isEqualTo(2);
        assertThat(err.toString()).contains("use it with --relay wss://");
        assertThat(run("connect", "--relay", "wss://r.example", "http", "3000", "--fingerprint", "sha256:abc")).isEqualTo(2);
        assertThat(err.toString()).contains("--fingerprint: \"sha256:abc\" is not a certificate fingerprint");
    }
}
