package dev.portway.relay.console;

/**
 * Where the web console listens: its own port, never the visitors' one; loopback unless told otherwise
 * (reach it through an SSH port-forward or a reverse proxy, see docs/self-hosting.md). Off unless a port is set.
 *
 * @param port     the console's port; 0 picks a free one; -1 = no console
 * @param bindHost interface of the console ({@code 127.0.0.1} by default)
 */
public record ConsoleSettings(int port, String bindHost) {
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final ConsoleSettings OFF = new ConsoleSettings(-1, DEFAULT_BIND);

    public ConsoleSettings {
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("--console-port must be 0-65535, not " + port + ".");
        }
        if (bindHost == null || bindHost.isBlank()) {
            bindHost = DEFAULT_BIND;
        }
    }

    public boolean enabled() {
        return port >= 0;
    }
}
