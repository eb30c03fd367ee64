package dev.portway.desktop.cli;

import dev.portway.desktop.engine.TunnelSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code connect --local-protocol h2c}: the engine's own tunnel option for HTTP/2-only apps (gRPC), or refused clearly. */
class ConnectLocalProtocolTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private ConnectCommand.Request parse(String... args) {
        CommandLine cli = PortwayCli.commandLine(Map.of("PORTWAY_TOKEN", "T"), new PrintWriter(out), new PrintWriter(err));
        return ((ConnectCommand) cli.parseArgs(args).subcommand().commandSpec().userObject()).validate();
    }

    private int run(String... args) {
        return PortwayCli.run(args, Map.of("PORTWAY_TOKEN", "T"), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void h2cBecomesTheTunnelsLocalProtocolAndHttp1IsTheDefault() {
        TunnelSpec h2c = parse("connect", "http", "50051", "--local-protocol", "H2C").tunnel();
        assertThat(h2c.options()).containsEntry(TunnelSpec.OPTION_LOCAL_PROTOCOL, "h2c");
        assertThat(h2c.localH2c()).isTrue();
        assertThat(parse("connect", "http", "3000").tunnel().localH2c()).isFalse();
        assertThat(parse("connect", "http", "3000", "--local-protocol", "http1").tunnel().localH2c()).isFalse();
    }

    @Test
    void anUnknownProtocolOrH2cOnATcpTunnelIsRefusedWithWhatToWrite() {
        assertThat(run("connect", "http", "3000", "--local-protocol", "h3")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown local protocol 'h3' — use http1 or h2c");
        assertThat(run("connect", "tcp", "22", "--local-protocol", "h2c")).isEqualTo(2);
        assertThat(err.toString()).contains("h2c is for http tunnels, not tcp");
    }
}
