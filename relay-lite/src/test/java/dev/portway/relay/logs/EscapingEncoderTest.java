package dev.portway.relay.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped logback configurations (text and JSON) escape what peers send: one event, one line. */
class EscapingEncoderTest {
    static final String FORGED = "x\n2026-12-01 12:00:00 INFO fake line\u001b[2J\u0085";
    private final LoggerContext context = new LoggerContext();

    @AfterEach
    void stop() {
        context.stop();
    }

    @SuppressWarnings("unchecked")
    private Encoder<ILoggingEvent> encoderOf(String config) throws Exception {
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(config);
        var appender = (OutputStreamAppender<ILoggingEvent>) context.getLogger("ROOT").getAppender("console");
        assertThat(appender.getEncoder()).isInstanceOf(EscapingEncoder.class);
        return appender.getEncoder();
    }

    private ILoggingEvent forgedEvent() {
        LoggingEvent e = new LoggingEvent("test", context.getLogger("dev.portway.relay.tunnel.SessionHandler"), Level.INFO,
                "Session {} connected ({})", new IllegalStateException("bad\r\nfake line", new RuntimeException("cause\u0007")),
                new Object[] {"s1", FORGED});
        e.setMDCPropertyMap(Map.of("tunnel", "t\nfake line"));
        return e;
    }

    @Test
    void textLogKeepsEachPeerValueOnItsLine() throws Exception {
        String out = new String(encoderOf("src/shade/logback.xml").encode(forgedEvent()), StandardCharsets.UTF_8);
        List<String> lines = out.lines().filter(l -> !l.startsWith("\tat ") && !l.startsWith("\t... ")).toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).endsWith("Session s1 connected (x\\n2026-12-01 12:00:00 INFO fake line\\e[2J\\u0085)");
        assertThat(lines.get(1)).isEqualTo("java.lang.IllegalStateException: bad\\r\\nfake line");
        assertThat(lines.get(2)).isEqualTo("Caused by: java.lang.RuntimeException: cause\\u0007");
        assertThat(out).doesNotContain("\u001b", "\u0085", "\u0007", "\r");
    }

    @Test
    void jsonLogIsOneLineAndEscapesInsideTheValues() throws Exception {
        String out = new String(encoderOf("src/shade/logback-json.xml").encode(forgedEvent()), StandardCharsets.UTF_8);
        assertThat(out.strip().lines()).hasSize(1);
        assertThat(out).doesNotContain("\u0085");
        JsonNode json = new ObjectMapper().readTree(out);
        assertThat(json.get("message").asText())
                .isEqualTo("Session s1 connected (x\\n2026-12-01 12:00:00 INFO fake line\\e[2J\\u0085)");
        assertThat(json.get("tunnel").asText()).isEqualTo("t\\nfake line");
        assertThat(json.get("stack_trace").asText()).contains("IllegalStateException: bad\\r\\nfake line")
                .contains("RuntimeException: cause\\u0007");
    }
}
