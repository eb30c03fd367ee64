package dev.portway.desktop.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code connect --no-rewrite-redirects/--no-rewrite-cookies/--strip-headers}: bind options, or refused clearly. */
class ConnectRewriteOptionsTest {
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
    void rewritingIsTheRelaysDefaultSoNothingIsSentForIt() {
        assertThat(parse("connect", "http", "3000").tunnel().options()).isEmpty();
    }

    @Test
    void rewriteFlagsBecomeBindOptions() {
        assertThat(parse("connect", "http", "3000", "--no-rewrite-redirects", "--no-rewrite-cookies",
                "--strip-headers", "Server, X-Powered-By").tunnel().options())
                .isEqualTo(Map.of("rewrite_redirects", "off", "rewrite_cookies", "off", "strip_headers", "Server,X-Powered-By"));
    }

    @Test
    void rewriteFlagsOnATcpTunnelOrABadHeaderNameAreRefused() {
        assertThat(run("connect", "tcp", "22", "--strip-headers", "Server")).isEqualTo(2);
        assertThat(err.toString()).contains("work for http tunnels only");
        assertThat(run("connect", "http", "3000", "--strip-headers", "Bad Name")).isEqualTo(2);
        assertThat(err.toString()).contains("--strip-headers 'Bad Name' is not a header name");
    }
}
