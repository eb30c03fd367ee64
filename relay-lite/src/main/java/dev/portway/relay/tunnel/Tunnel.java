package dev.portway.relay.tunnel;

/**
 * One bound tunnel: a name owned by one session. For TCP tunnels {@link #port()} and the listener
 * closer are set once the public port is bound. Fields are volatile: written on the owning session's
 * event loop, read by visitors' loops.
 *
 * @param <S> the owner type (the session)
 */
public final class Tunnel<S> {
    /** The user of every WebSocket client while the relay knows one shared token only. */
    public static final String LOCAL_USER = "local";

    private final String name;
    private final String kind;
    private final S owner;
    private volatile int port;
    private volatile Runnable closeListener;
    private volatile VisitorProtection protection = VisitorProtection.PENDING;
    /** How responses are rewritten for visitors (PROTOCOL.md §4.1 "Response rewriting"). */
    private volatile dev.portway.relay.rewrite.RewriteOptions rewrite = dev.portway.relay.rewrite.RewriteOptions.DEFAULT;
    /** What carries visitor streams: the owner session, or an SSH connection (then {@code owner} is null). */
    private volatile TunnelBackend backend;
    /** The user the tunnel belongs to, for isolation rules and the SSH gateway's access checks. */
    private volatile String user = LOCAL_USER;
    /** Null for a public tunnel; for a private TCP tunnel the other users it is shared with (maybe none). */
    private volatile java.util.Set<String> privateTo;

    Tunnel(String name, String kind, S owner, int port, Runnable closeListener) {
        this.name = name;
        this.kind = kind;
        this.owner = owner;
        this.port = port;
        this.closeListener = closeListener;
        this.backend = owner instanceof TunnelBackend b ? b : null;
    }

    /** What opens the tunnel's streams; never null once the tunnel is in the registry. */
    public TunnelBackend backend() {
        return backend;
    }

    void backend(TunnelBackend backend, String user) {
        this.backend = backend;
        this.user = user;
    }

    public String user() {
        return user;
    }

    /** Makes a TCP tunnel private: no public port, reachable through the SSH gateway by its user and these. */
    public void makePrivate(java.util.Set<String> sharedWith) {
        this.privateTo = java.util.Set.copyOf(sharedWith);
    }

    public boolean isPrivate() {
        return privateTo != null;
    }

    /** @return whether {@code who} may reach this private tunnel through the gateway */
    public boolean reachableBy(String who) {
        java.util.Set<String> shared = privateTo;
        return shared != null && who != null && (who.equals(user) || shared.contains(who));
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

    /** How the responses of this tunnel are rewritten for visitors (its bind's options, PROTOCOL.md §4.1). */
    public dev.portway.relay.rewrite.RewriteOptions rewrite() {
        return rewrite;
    }

    void rewrite(dev.portway.relay.rewrite.RewriteOptions r) {
        this.rewrite = r;
    }

    Runnable closeListener() {
        return closeListener;
    }
}
