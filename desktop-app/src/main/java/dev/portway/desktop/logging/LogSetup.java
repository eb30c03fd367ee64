package dev.portway.desktop.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import dev.portway.relay.logs.EscapingEncoder;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Adds the desktop app's log destinations to logback's root logger, next to what {@code logback.xml} sets up
 * (stderr): a {@link LogBuffer} for the log window, and {@code <data dir>/logs/portway.log}, rolled at
 * {@link #FILE_SIZE} into {@code portway.1.log} … {@code portway.3.log} — at most 20 MiB on disk. Both escape control
 * characters in what they keep (the relay's {@link EscapingEncoder}, which the desktop shares as it embeds the relay).
 * Installing again (a second app in the same JVM, as in tests) moves the file to the new data dir and keeps the buffer.
 */
public final class LogSetup {
    static final String FILE_APPENDER = "PORTWAY_FILE";
    static final String FILE_SIZE = "5MB";
    static final int FILES_KEPT = 3;

    private LogSetup() {
    }

    /** Installs both appenders (idempotent) and returns the buffer. */
    public static synchronized LogBuffer install(Path dataDir) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return new LogBuffer(LogBuffer.DEFAULT_CAPACITY); // another SLF4J backend: the window stays empty
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> old = root.getAppender(FILE_APPENDER);
        if (old != null) {
            root.detachAppender(old);
            old.stop();
        }
        root.addAppender(rollingFile(context, dataDir.resolve("logs")));

        if (root.getAppender("PORTWAY_MEMORY") instanceof LogBuffer existing) {
            return existing;
        }
        LogBuffer buffer = new LogBuffer(LogBuffer.DEFAULT_CAPACITY);
        buffer.setContext(context);
        buffer.start();
        root.addAppender(buffer);
        return buffer;
    }

    private static RollingFileAppender<ILoggingEvent> rollingFile(LoggerContext context, Path dir) {
        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(context);
        file.setName(FILE_APPENDER);
        file.setFile(dir.resolve("portway.log").toString());

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(file);
        rolling.setFileNamePattern(dir.resolve("portway.%i.log").toString());
        rolling.setMinIndex(1);
        rolling.setMaxIndex(FILES_KEPT);
        rolling.start();

        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(FileSize.valueOf(FILE_SIZE));
        trigger.start();

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} %X{tunnel:-} %msg%n");
        encoder.start();
        EscapingEncoder escaping = new EscapingEncoder(); // as logback.xml: control characters escaped, one event a line
        escaping.setContext(context);
        escaping.setEncoder(encoder);
        escaping.start();

        file.setRollingPolicy(rolling);
        file.setTriggeringPolicy(trigger);
        file.setEncoder(escaping);
        file.start();
        return file;
    }
}
