package dev.portway.relay.logs;

import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogContextTest {
    @Test
    void fieldsAreSetForTheCallOnlyAndNullsAreSkipped() {
        Map<String, String> during = new HashMap<>();
        LogContext.log(() -> {
            during.put(LogContext.TUNNEL, MDC.get(LogContext.TUNNEL));
            during.put(LogContext.CORRELATION_ID, MDC.get(LogContext.CORRELATION_ID));
            during.put(LogContext.USER, MDC.get(LogContext.USER));
        }, LogContext.TUNNEL, "shop", LogContext.CORRELATION_ID, "order-1", LogContext.USER, null);
        assertThat(during).containsEntry(LogContext.TUNNEL, "shop").containsEntry(LogContext.CORRELATION_ID, "order-1")
                .containsEntry(LogContext.USER, null);
        assertThat(MDC.get(LogContext.TUNNEL)).as("nothing stays behind on the thread").isNull();
        assertThat(MDC.get(LogContext.CORRELATION_ID)).isNull();
    }

    @Test
    void fieldsAreRemovedEvenWhenLoggingFails() {
        assertThatThrownBy(() -> LogContext.log(() -> {
            throw new IllegalStateException("appender broke");
        }, LogContext.SESSION, "s1")).isInstanceOf(IllegalStateException.class);
        assertThat(MDC.get(LogContext.SESSION)).isNull();
    }

    @Test
    void keysAndValuesMustPair() {
        assertThatThrownBy(() -> LogContext.log(() -> { }, LogContext.TUNNEL)).isInstanceOf(IllegalArgumentException.class);
    }
}
