package dev.portway.relay.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster's migrations (db/migration/relay-postgresql, V10-V19) sit between the relay's (V1, V2, V20, V30 …): a
 * PostgreSQL relay already at V30 must still get a cluster migration added later (V13) when it is upgraded.
 */
class ClusterMigrationIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();

    @Test
    void aDatabaseAlreadyPastV30GetsTheLaterClusterMigrationOnUpgrade() throws Exception {
        String url = PG.newDatabase();
        RelayStore.open(url, "postgres", null, null).close();
        // As an installation of the release before V13 left it: V30 applied, V13 not.
        try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE cluster_session");
            s.execute("DROP INDEX cluster_binding_user");
            s.execute("ALTER TABLE cluster_binding DROP COLUMN per_minute");
            s.execute("DELETE FROM flyway_schema_history WHERE version = '13'");
        }
        RelayStore.open(url, "postgres", null, null).close();
        try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE version = '13' AND success")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
            s.execute("SELECT session_id FROM cluster_session");
        }
    }
}
