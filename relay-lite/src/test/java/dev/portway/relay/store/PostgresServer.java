package dev.portway.relay.store;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 15 for the tests of a class: {@code initdb} into a temporary directory, started with
 * {@code pg_ctl} on a free loopback port before the class, stopped (and deleted) after it. As root it runs
 * as the {@code postgres} OS user (PostgreSQL refuses to run as root). When the binaries are missing the
 * tests fail (they do not skip) and say what to install.
 *
 * <pre>{@code @RegisterExtension static PostgresServer pg = new PostgresServer();}</pre>
 */
public final class PostgresServer implements BeforeAllCallback, AfterAllCallback {
    public static final Path BIN = Path.of(System.getenv().getOrDefault("PORTWAY_PG_BIN", "/usr/lib/postgresql/15/bin"));
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private Path dir;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    public void start() throws IOException, InterruptedException {
        if (!Files.isExecutable(BIN.resolve("initdb")) || !Files.isExecutable(BIN.resolve("pg_ctl"))) {
            throw new IllegalStateException("PostgreSQL 15 is not installed (no " + BIN.resolve("initdb")
                    + ") — the store tests need a real PostgreSQL: apt-get install -y --no-install-recommends postgresql");
        }
        dir = Files.createTempDirectory("portway-pg");
        if (ROOT) {
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
        }
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("data");
        asPostgres(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--no-sync", "--no-instructions"));
        asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -F", "start"));
    }

    /** An outage: the server stops at once (as if it crashed), its data kept; {@link #resume} starts it again. */
    public void suspend() throws IOException, InterruptedException {
        asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                "-w", "stop"));
    }

    /** Starts a {@link #suspend}ed server again, on the same port with the same data. */
    public void resume() throws IOException, InterruptedException {
        asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -F", "start"));
    }

    public void stop() throws IOException, InterruptedException {
        if (dir == null) {
            return;
        }
        try {
            asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "-w", "stop"));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            dir = null;
        }
    }

    /** A new, empty database on this server; its JDBC URL (user {@code postgres}, no password). */
    public String newDatabase() throws SQLException {
        String name = "portway_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    private void asPostgres(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (ROOT) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            String log = dir != null && Files.exists(dir.resolve("server.log")) ? Files.readString(dir.resolve("server.log")) : "";
            throw new IOException(String.join(" ", command) + " failed: " + new String(out) + log);
        }
    }
}
