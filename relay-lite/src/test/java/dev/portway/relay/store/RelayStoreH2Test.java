package dev.portway.relay.store;

import java.nio.file.Path;

/** The store contract on an H2 file in a temporary data directory (the default store). */
class RelayStoreH2Test extends RelayStoreContract {
    @Override
    RelayStore open(Path tmp) throws Exception {
        return RelayStore.open(tmp.resolve("data"));
    }
}
