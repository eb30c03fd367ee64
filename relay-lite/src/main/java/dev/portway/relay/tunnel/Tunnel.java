package dev.portway.relay.tunnel;

/**
 * One bound tunnel: a name owned by one session. For TCP tunnels {@link #port()} and the listener
 * closer are set once the public port is bound. Fields are volatile: written on the owning session's
 * event loop, read by visitors' loops.
 *
 * @param <S> the owner type (the session)
 */
public final class Tunnel<S> {
    private final String name;
    private final String kind;
    private final S owner;
    private volatile int port;
    private volatile Runnable closeListener;
    private volatile VisitorProtection protection = VisitorProtection.PENDING;

    Tunnel(String name, String kind, S owner, int port, Runnable closeListener) {
        this.name = name;
        this.kind = kind;
        this.owner = owner;
        this.port = port;
        this.closeListener = closeListener;
    }

    public String name() {
        return name;
    }

    public String kind() {
        return kind;
    }

    public S owner() {
        return owner;
    }

    public int port() {
        return port;
    }

    /** Records the public TCP port and how to close its listener. */
    public void listening(int port, Runnable closeListener) {
        this.port = port;
        this.closeListener = closeListener;
    }

    /** What visitors must pass to reach this tunnel (its bind's options, PROTOCOL.md §4.1). */
    public VisitorProtection protection() {
        return protection;
    }

    void protection(VisitorProtection p) {
        this.protection = p;
    }

    Runnable closeListener() {
        return closeListener;
    }
}
