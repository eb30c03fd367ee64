package dev.portway.relay.cluster;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * {@code LISTEN portway_cluster} and {@code portway_queue} on a connection of its own, on the thread
 * {@code relay-cluster-listen}: each notification's payload goes to {@code changed} (a tunnel name) or
 * {@code queueChanged} (the shared queue's). After a lost connection it reconnects with a
 * backoff and calls {@code reconnected} (the caller re-reads everything: notifications of the gap are lost).
 */
final class ClusterListener implements AutoCloseable {
    static final String CHANNEL = "portway_cluster";
    /** The shared queue's channel (V11): payloads {@code q:<tunnel>} and {@code r:<name>}. */
    static final String QUEUE_CHANNEL = "portway_queue";
    private static final Logger log = LoggerFactory.getLogger(ClusterListener.class);

    private final String url;
    private final Properties props = new Properties();
    private final Consumer<String> changed;
    private final Consumer<String> queueChanged;
    private final Runnable reconnected;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;
    private final java.util.concurrent.CountDownLatch listening = new java.util.concurrent.CountDownLatch(1);

    ClusterListener(String url, String user, String password, Consumer<String> changed, Consumer<String> queueChanged,
                    Runnable reconnected) {
        this.queueChanged = queueChanged;
        this.url = url;
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "2");
        this.changed = changed;
        this.reconnected = reconnected;
        this.thread = new Thread(this::run, "relay-cluster-listen");
        thread.setDaemon(true);
    }

    /** Starts listening; waits up to {@code timeoutMs} for the first {@code LISTEN} (no change is missed after). */
    void start(long timeoutMs) throws InterruptedException {
        thread.start();
        if (!listening.await(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            log.warn("Not yet listening for cluster changes after {} ms; the periodic re-read covers the gap", timeoutMs);
        }
    }

    private void run() {
        long backoffMs = 250;
        boolean first = true;
        while (!closed) {
            try (Connection c = DriverManager.getConnection(url, props)) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                    s.execute("LISTEN " + QUEUE_CHANNEL);
                }
                listening.countDown();
                if (!first) {
                    log.info("Listening for cluster changes again");
                    try {
                        reconnected.run();
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        return; // the node is leaving
                    }
                }
                first = false;
                backoffMs = 250;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] ns = pg.getNotifications(1000);
                    if (ns != null) {
                        for (PGNotification n : ns) {
                            (QUEUE_CHANNEL.equals(n.getName()) ? queueChanged : changed).accept(n.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                first = false;
                log.warn("Lost the cluster's change notifications ({}); reconnecting in {} ms", e.getMessage(), backoffMs);
                try {
                    Thread.sleep(backoffMs); // this thread's own backoff; nothing else waits on it
                } catch (InterruptedException ie) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(3_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
