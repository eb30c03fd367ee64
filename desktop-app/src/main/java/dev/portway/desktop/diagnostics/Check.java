package dev.portway.desktop.diagnostics;

/**
 * The steps of a diagnostics run, in the order they run. Each relay step needs the one before it; the
 * local steps need only each other, so a dead relay does not hide a dead local app (and the other way round).
 */
public enum Check {
    DNS("Relay address resolves", null),
    TCP("TCP connects", DNS),
    TLS("TLS handshake", TCP),
    WEBSOCKET("WebSocket upgrade", TLS),
    AUTH("Auth accepted", WEBSOCKET),
    RTT("Round trip time", AUTH),
    LOCAL_TCP("Local target reachable", null),
    LOCAL_ANSWERS("Local target answering", LOCAL_TCP);

    private final String title;
    private final Check needs;

    Check(String title, Check needs) {
        this.title = title;
        this.needs = needs;
    }

    /** What the step checks, in words: "TCP connects". */
    public String title() {
        return title;
    }

    /** The step that must have passed (or been skipped as not applicable) for this one to run; null for none. */
    public Check needs() {
        return needs;
    }
}
