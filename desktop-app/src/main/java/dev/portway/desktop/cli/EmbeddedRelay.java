package dev.portway.desktop.cli;

import java.net.URI;

/** A relay running inside this process, for {@code portway connect} without {@code --relay}. */
final class EmbeddedRelay implements AutoCloseable {
    private EmbeddedRelay() {
    }

    static EmbeddedRelay start(int port) {
        throw new IllegalStateException("The embedded relay is not part of this build yet — pass --relay and --token.");
    }

    URI connectUrl() {
        throw new UnsupportedOperationException();
    }

    String token() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}
