package dev.portway.relay.cluster;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code relay-lite nodes list}: the nodes of a relay cluster and their leases, read from its PostgreSQL. */
@Command(name = "nodes", description = "Nodes of a relay cluster (docs/cluster.md).", subcommands = NodesCommand.ListNodes.class)
public final class NodesCommand {
    @Command(name = "list", description = "Every node: id, address, started, clients, tunnels and its lease.")
    static final class ListNodes implements Callable<Integer> {
        @Option(names = "--db", paramLabel = "JDBC_URL", required = true,
                description = "The cluster's jdbc:postgresql://host:port/db URL.")
        String db;
        @Option(names = "--db-user", description = "Database user (or env PORTWAY_DB_USER).")
        String dbUser;
        @Option(names = "--db-password", description = "Database password (or env PORTWAY_DB_PASSWORD).")
        String dbPassword;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!db.startsWith("jdbc:postgresql:")) {
                err.println("relay-lite: --db must be the cluster's jdbc:postgresql://host:port/database URL, not \"" + db + "\".");
                return 2;
            }
            Properties p = new Properties();
            String user = dbUser != null ? dbUser : System.getenv("PORTWAY_DB_USER");
            String password = dbPassword != null ? dbPassword : System.getenv("PORTWAY_DB_PASSWORD");
            if (user != null) {
                p.setProperty("user", user);
            }
            if (password != null) {
                p.setProperty("password", password);
            }
            p.setProperty("connectTimeout", "5");
            try (Connection c = DriverManager.getConnection(db, p)) {
                if (!hasClusterTables(c)) {
                    out.println("No cluster nodes: this database has no cluster tables yet — start a relay with --node-id on it.");
                    return 0;
                }
                List<ClusterDb.Node> nodes = ClusterDb.nodes(c);
                Instant now = Instant.now();
                out.println(table(nodes, now));
                out.flush();
                return 0;
            } catch (SQLException e) {
                err.println("relay-lite: cannot read the cluster's nodes from " + db + ": " + e.getMessage()
                        + " — check --db, --db-user and --db-password.");
                return 1;
            } finally {
                err.flush();
            }
        }

        private static boolean hasClusterTables(Connection c) throws SQLException {
            try (var rs = c.getMetaData().getTables(null, null, "cluster_node", null)) {
                return rs.next();
            }
        }
    }

    /** The nodes as aligned columns; a lease shows as {@code ok (7 s left)} or {@code expired 42 s ago}. */
    static String table(List<ClusterDb.Node> nodes, Instant now) {
        StringBuilder b = new StringBuilder(String.format("%-20s %-24s %-20s %7s %7s  %s%n", "ID", "ADDRESS", "STARTED",
                "CLIENTS", "TUNNELS", "LEASE"));
        for (ClusterDb.Node n : nodes) {
            long left = Duration.between(now, n.leaseUntil()).toSeconds();
            String lease = n.alive() ? "ok (" + Math.max(0, left) + " s left)" : "expired " + Math.max(0, -left) + " s ago";
            b.append(String.format("%-20s %-24s %-20s %7d %7d  %s%n", n.id(), n.address(),
                    n.started().truncatedTo(ChronoUnit.SECONDS), n.clients(), n.tunnels(), lease));
        }
        if (nodes.isEmpty()) {
            b.append("(no nodes have joined yet)").append(System.lineSeparator());
        }
        return b.toString().stripTrailing();
    }
}
