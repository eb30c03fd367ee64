package dev.portway.relay.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextVO;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import dev.portway.shared.text.SafeText;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A logging event as an encoder should see it: the formatted message, the MDC values, the key-value pairs and every
 * throwable message with their control characters escaped ({@link SafeText}), so a value a peer sent (a client name,
 * a request path, an error text) can never end the line and start a forged one, or send escape sequences to a
 * terminal that shows the log. Everything else is the original event's. A view: it copies nothing up front.
 */
public final class EscapedEvent implements ILoggingEvent {
    private final ILoggingEvent event;

    private EscapedEvent(ILoggingEvent event) {
        this.event = event;
    }

    public static ILoggingEvent of(ILoggingEvent event) {
        return event instanceof EscapedEvent ? event : new EscapedEvent(event);
    }

    @Override
    public String getFormattedMessage() {
        return SafeText.escape(event.getFormattedMessage());
    }

    @Override
    public Map<String, String> getMDCPropertyMap() {
        return escape(event.getMDCPropertyMap());
    }

    @Override
    @SuppressWarnings("deprecation")
    public Map<String, String> getMdc() {
        return escape(event.getMdc());
    }

    @Override
    public IThrowableProxy getThrowableProxy() {
        IThrowableProxy t = event.getThrowableProxy();
        return t == null ? null : new EscapedThrowable(t);
    }

    @Override
    public List<KeyValuePair> getKeyValuePairs() {
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs == null || pairs.isEmpty()) {
            return pairs;
        }
        List<KeyValuePair> escaped = new ArrayList<>(pairs.size());
        for (KeyValuePair p : pairs) {
            escaped.add(p.value instanceof String s ? new KeyValuePair(p.key, SafeText.escape(s)) : p);
        }
        return escaped;
    }

    private static Map<String, String> escape(Map<String, String> map) {
        if (map == null || map.values().stream().allMatch(v -> SafeText.firstUnsafe(v) < 0)) {
            return map;
        }
        Map<String, String> escaped = new HashMap<>(map.size() * 2);
        map.forEach((k, v) -> escaped.put(k, SafeText.escape(v)));
        return escaped;
    }

    @Override
    public String getThreadName() {
        return event.getThreadName();
    }

    @Override
    public Level getLevel() {
        return event.getLevel();
    }

    @Override
    public String getMessage() {
        return event.getMessage();
    }

    @Override
    public Object[] getArgumentArray() {
        return event.getArgumentArray();
    }

    @Override
    public String getLoggerName() {
        return event.getLoggerName();
    }

    @Override
    public LoggerContextVO getLoggerContextVO() {
        return event.getLoggerContextVO();
    }

    @Override
    public StackTraceElement[] getCallerData() {
        return event.getCallerData();
    }

    @Override
    public boolean hasCallerData() {
        return event.hasCallerData();
    }

    @Override
    public List<Marker> getMarkerList() {
        return event.getMarkerList();
    }

    @Override
    public long getTimeStamp() {
        return event.getTimeStamp();
    }

    @Override
    public int getNanoseconds() {
        return event.getNanoseconds();
    }

    @Override
    public Instant getInstant() {
        return event.getInstant();
    }

    @Override
    public long getSequenceNumber() {
        return event.getSequenceNumber();
    }

    @Override
    public void prepareForDeferredProcessing() {
        event.prepareForDeferredProcessing();
    }

    /** A throwable whose message (and its causes' and suppressed ones') is escaped; the stack frames are code's own. */
    private record EscapedThrowable(IThrowableProxy t) implements IThrowableProxy {
        @Override
        public String getMessage() {
            return SafeText.escape(t.getMessage());
        }

        @Override
        public String getOverridingMessage() {
            return SafeText.escape(t.getOverridingMessage());
        }

        @Override
        public String getClassName() {
            return t.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return t.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return t.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            IThrowableProxy cause = t.getCause(); // a cyclic chain ends in a proxy without a cause
            return cause == null ? null : new EscapedThrowable(cause);
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = t.getSuppressed();
            if (suppressed == null) {
                return null;
            }
            IThrowableProxy[] escaped = new IThrowableProxy[suppressed.length];
            for (int i = 0; i < suppressed.length; i++) {
                escaped[i] = new EscapedThrowable(suppressed[i]);
            }
            return escaped;
        }

        @Override
        public boolean isCyclic() {
            return t.isCyclic();
        }
    }
}
