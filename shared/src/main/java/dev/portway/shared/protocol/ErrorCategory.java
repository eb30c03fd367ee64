package dev.portway.shared.protocol;

import java.util.Locale;

/** What kind of failure an error is, as shown to users and counted in metrics. */
public enum ErrorCategory {
    /** The link between client and relay (or relay and visitor) failed. */
    NETWORK,
    /** The relay refused the credentials. Never retried automatically. */
    AUTH,
    /** Something the user configured is wrong (bad name, port in use, bad option). */
    CONFIG,
    /** The relay failed or is shutting down. */
    SERVER,
    /** A peer broke the protocol, or the versions do not match. */
    PROTOCOL,
    /** The local service behind the tunnel refused, timed out or failed. */
    TARGET;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
