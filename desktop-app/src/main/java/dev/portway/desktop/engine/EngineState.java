package dev.portway.desktop.engine;

/** Where the engine's connection to the relay stands. */
public enum EngineState {
    /** Not started, or closed. */
    DISCONNECTED,
    /** The first connect is under way. */
    CONNECTING,
    /** A session is up; tunnels are bound or being bound. */
    CONNECTED,
    /** The connection failed or was lost; waiting to retry. */
    RECONNECTING,
    /** Given up: refused credentials, no common protocol version, or out of attempts. Not retried. */
    FAILED
}
