package dev.portway.relay.logs;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.joran.spi.DefaultClass;

/**
 * Wraps any encoder — the text pattern or the JSON encoder — and hands it each event as an {@link EscapedEvent}, so
 * that control characters in the message, MDC values and throwable messages are escaped whatever the format: one
 * event is one line, and nothing a peer sent can forge a line or drive a terminal. Every logback configuration of
 * relay-lite and of the desktop app (which runs the embedded relay) wraps its encoders in this:
 * <pre>
 * &lt;encoder class="dev.portway.relay.logs.EscapingEncoder"&gt;
 *   &lt;encoder class="net.logstash.logback.encoder.LogstashEncoder"/&gt;   (or a pattern: &lt;encoder&gt;&lt;pattern&gt;…)
 * &lt;/encoder&gt;
 * </pre>
 * Thread-safety is the wrapped encoder's (appenders call encoders under their own lock).
 */
public final class EscapingEncoder extends EncoderBase<ILoggingEvent> {
    private Encoder<ILoggingEvent> encoder;

    /** The encoder that writes the escaped events; a pattern encoder when the configuration names no class. */
    @DefaultClass(PatternLayoutEncoder.class)
    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    public Encoder<ILoggingEvent> getEncoder() {
        return encoder;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("EscapingEncoder needs a nested <encoder>");
            return;
        }
        if (!encoder.isStarted()) {
            encoder.start();
        }
        super.start();
    }

    @Override
    public void stop() {
        if (encoder != null) {
            encoder.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return encoder.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return encoder.encode(EscapedEvent.of(event));
    }

    @Override
    public byte[] footerBytes() {
        return encoder.footerBytes();
    }
}
