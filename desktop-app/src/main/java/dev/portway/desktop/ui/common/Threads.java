package dev.portway.desktop.ui.common;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The app's named executors; every thread has a name and logs what escapes it. */
public final class Threads {
    private static final Logger LOG = LoggerFactory.getLogger(Threads.class);

    private Threads() {
    }

    private static void uncaught(Thread t, Throwable e) {
        LOG.error("uncaught in {}", t.getName(), e);
    }

    /** One platform thread, tasks in order: the store. */
    public static ExecutorService single(String name) {
        return Executors.newSingleThreadExecutor(Thread.ofPlatform().name(name).daemon(true).uncaughtExceptionHandler(Threads::uncaught).factory());
    }

    /** A virtual thread per task: blocking work such as starting relays and closing engines. */
    public static ExecutorService virtual(String prefix) {
        return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(prefix, 0).uncaughtExceptionHandler(Threads::uncaught).factory());
    }

    public static ScheduledExecutorService timer(String name) {
        return Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(name).daemon(true).uncaughtExceptionHandler(Threads::uncaught).factory());
    }

    /** Shuts {@code e} down and waits a little for running tasks. */
    public static void stop(ExecutorService e) {
        e.shutdown();
        try {
            if (!e.awaitTermination(3, TimeUnit.SECONDS)) {
                e.shutdownNow();
            }
        } catch (InterruptedException ie) {
            e.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
