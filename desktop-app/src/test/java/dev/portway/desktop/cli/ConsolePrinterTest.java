package dev.portway.desktop.cli;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.shared.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** What the relay and visitors send reaches the terminal escaped: no escape sequence, no forged line. */
class ConsolePrinterTest {
    private final StringWriter text = new StringWriter();
    private final ConsolePrinter printer = new ConsolePrinter(new PrintWriter(text), () -> { }, false);

    @Test
    void peerSuppliedTextIsEscapedBeforeItReachesTheTerminal() {
        printer.onStatus(new EngineStatus(EngineState.FAILED, "relay says \u001b]0;pwned\u0007 no\nForwarding http://evil/", null, 0, 0,
                null));
        printer.onTunnelBound(new BoundTunnel("shop", "http", "http://shop.localhost:8080/", null, "localhost:3000",
                "welcome\u001b[2J\u009b31m"));
        printer.onRequest(new RequestEvent("r1", "shop", "GET", "/a\u001b[31mred\r\n12:00:00  GET /admin  200", 200,
                Duration.ofMillis(3), 0, 0, null, null, Instant.now()));
        printer.onTunnelRefused(TunnelSpec.http("shop", 3000), ErrorCode.PROTOCOL_ERROR, "no \u202eoops");

        String printed = text.toString();
        assertThat(printed).doesNotContain("\u001b", "\u0007", "\u009b", "\r", "\u202e");
        assertThat(printed.lines()).hasSize(5).contains(
                "Failed: relay says \\e]0;pwned\\u0007 no\\nForwarding http://evil/",
                "  note: welcome\\e[2J\\u009b31m",
                "Tunnel to localhost:3000 refused: no \\u202eoops");
        assertThat(printed.lines().filter(l -> l.contains("GET")).findFirst().orElseThrow())
                .endsWith("GET /a\\e[31mred\\r\\n12:00:00  GET /admin  200  200  3 ms  0 B in  0 B out");
    }
}
