package dev.portway.desktop.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code connect --ws-compression on|off}: off by default, on on request, anything else refused clearly. */
class ConnectWsCompressionOptionTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private ConnectCommand.Request parse(String... args) {
        CommandLine cli = PortwayCli.commandLine(Map.of("PORTWAY_TOKEN", "T"), new PrintWriter(out), new PrintWriter(err));
        CommandLine.ParseResult result = cli.parseArgs(args);
        return ((ConnectCommand) result.subcommand().commandSpec().userObject()).validate();
    }

    @Test
    void offByDefaultAndOnOnRequest() {
        assertThat(parse("connect", "--relay", "ws://relay.example.com", "http", "3000").wsCompression()).isFalse();
        assertThat(parse("connect", "--relay", "ws://relay.example.com", "http", "3000", "--ws-compression", "ON").wsCompression())
                .isTrue();
        assertThat(parse("connect", "http", "3000", "--ws-compression", "off").wsCompression()).as("embedded relay too").isFalse();
    }

    @Test
    void anythingButOnOrOffExitsWith2AndSaysWhatToWrite() {
        int code = PortwayCli.run(new String[]{"connect", "http", "3000", "--ws-compression", "fast"}, Map.of("PORTWAY_TOKEN", "T"),
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--ws-compression must be on or off, not \"fast\".");
    }
}
