package dev.portway.desktop.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import dev.portway.relay.logs.EscapedEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The app's recent log in memory, for the log window: the last {@code capacity} events in a ring, each numbered,
 * so a reader asks for what is new since the last number it saw. Older events fall off; memory stays bounded
 * (messages are cut at {@link #MAX_TEXT} characters).
 *
 * <p>Thread-safe: logback calls {@link #append} under this appender's lock (AppenderBase synchronizes
 * {@code doAppend} on {@code this}); readers take the same lock for a copy and never block a logger for long.
 */
public final class LogBuffer extends AppenderBase<ILoggingEvent> {
    public static final int DEFAULT_CAPACITY = 2_000;
    static final int MAX_TEXT = 8_000;

    /** One event as the log window shows it. {@code seq} counts from 0 over the buffer's life. */
    public record Entry(long seq, Instant time, String level, String logger, String thread, String message) {
        /** The short logger name: {@code TunnelEngine} for {@code dev.portway.desktop.engine.TunnelEngine}. */
        public String shortLogger() {
            int dot = logger.lastIndexOf('.');
            return dot < 0 ? logger : logger.substring(dot + 1);
        }
    }

    private final Entry[] ring;
    private long next;

    public LogBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        ring = new Entry[capacity];
        setName("PORTWAY_MEMORY");
    }

    public int capacity() {
        return ring.length;
    }

    @Override
    protected void append(ILoggingEvent original) {
        ILoggingEvent e = EscapedEvent.of(original); // control characters escaped: one event is one line in the window
        String text = e.getFormattedMessage();
        IThrowableProxy thrown = e.getThrowableProxy();
        if (thrown != null) {
            text = text + "\n" + ThrowableProxyUtil.asString(thrown);
        }
        if (text != null && text.length() > MAX_TEXT) {
            text = text.substring(0, MAX_TEXT) + " …";
        }
        synchronized (this) {
            ring[(int) (next % ring.length)] = new Entry(next, Instant.ofEpochMilli(e.getTimeStamp()), e.getLevel().toString(),
                    e.getLoggerName(), e.getThreadName(), text == null ? "" : text);
            next++;
        }
    }

    /** The events numbered {@code fromSeq} and later that are still held, oldest first. */
    public synchronized List<Entry> since(long fromSeq) {
        long first = Math.max(fromSeq, Math.max(0, next - ring.length));
        List<Entry> out = new ArrayList<>((int) Math.max(0, next - first));
        for (long s = first; s < next; s++) {
            out.add(ring[(int) (s % ring.length)]);
        }
        return out;
    }

    /** The number the next event will get. */
    public synchronized long nextSeq() {
        return next;
    }
}
