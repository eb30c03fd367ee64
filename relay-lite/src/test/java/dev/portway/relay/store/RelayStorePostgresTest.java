package dev.portway.relay.store;

import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

/** The store contract on a real PostgreSQL 15, started for this class (see {@link PostgresServer}). */
class RelayStorePostgresTest extends RelayStoreContract {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();

    @Override
    RelayStore open(Path tmp) throws Exception {
        return RelayStore.open(PG.newDatabase(), "postgres", null, null);
    }
}
