package dev.portway.desktop.engine;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SessionCloseReasonTest {

    @Test
    void aViolationsCloseReasonFitsAWebSocketCloseFrameInBytes() {
        String message = "unerwarteter Rahmen für Strom 7 — Größe überschritten, Verbindung geschlossen ".repeat(2);
        assertThat(message.length()).as("under 123 chars would not show the bug").isLessThan(200);

        String reason = Session.closeReason(message);

        assertThat(reason.getBytes(StandardCharsets.UTF_8).length).as("RFC 6455 §5.5: at most 123 bytes").isLessThanOrEqualTo(123);
        assertThat(reason).doesNotContain("\uFFFD");
    }
}
