package dev.portway.relay.ssh;

import dev.portway.relay.audit.AuditLog;
import dev.portway.relay.auth.LoginThrottle;
import dev.portway.relay.metrics.RelayMetrics;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.PublicKey;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is connected to the gateway: authentication against the {@link SshDirectory} (the key says who you are;
 * the login name is not used), throttled and audited like WebSocket hellos (one {@link LoginThrottle}), at most
 * {@code maxSessions} connections per user, a periodic re-check of each login (revocation ends it), the gauge and
 * the log lines.
 * Thread-safe.
 */
final class GatewaySessions implements PublickeyAuthenticator, PasswordAuthenticator, SessionListener {
    static final AttributeRepository.AttributeKey<String> USER = new AttributeRepository.AttributeKey<>();
    private static final AttributeRepository.AttributeKey<Boolean> COUNTED = new AttributeRepository.AttributeKey<>();
    /** The API token id of a password login (re-checked like a JWT refresh). */
    private static final AttributeRepository.AttributeKey<String> TOKEN_ID = new AttributeRepository.AttributeKey<>();
    /** The key of a key login (re-checked: still registered, its user not disabled). */
    private static final AttributeRepository.AttributeKey<PublicKey> KEY = new AttributeRepository.AttributeKey<>();
    /** A refused key was counted for this connection: clients offer every key they have, one failure is enough. */
    private static final AttributeRepository.AttributeKey<Boolean> KEY_FAILURE = new AttributeRepository.AttributeKey<>();
    /** A lockout refusal and its disconnect are under way. */
    private static final AttributeRepository.AttributeKey<Boolean> LOCKED = new AttributeRepository.AttributeKey<>();
    private static final Logger log = LoggerFactory.getLogger(GatewaySessions.class);

    private final SshDirectory directory;
    private final int maxSessions;
    private final RelayMetrics metrics;
    private final Map<String, Integer> perUser = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService timer;
    private final java.time.Duration keepAlive;
    private final int keepAliveMisses;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final java.time.Duration recheckEvery;

    /**
     * @param timer        runs the keep-alives, re-checks and delayed disconnects (never blocks: the waiting is done on
     *                     virtual threads)
     * @param throttle     failed-login lockouts, shared with WebSocket hellos
     * @param recheckEvery how often a live login is checked again (revoked token, disabled user): as often as a
     *                     WebSocket client refreshes its JWT
     */
    GatewaySessions(SshDirectory directory, int maxSessions, RelayMetrics metrics,
                    java.util.concurrent.ScheduledExecutorService timer, java.time.Duration keepAlive, int keepAliveMisses,
                    LoginThrottle throttle, AuditLog audit, java.time.Duration recheckEvery) {
        this.directory = directory;
        this.maxSessions = maxSessions;
        this.metrics = metrics;
        this.timer = timer;
        this.keepAlive = keepAlive;
        this.keepAliveMisses = keepAliveMisses;
        this.throttle = throttle;
        this.audit = audit;
        this.recheckEvery = recheckEvery;
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        String address = LoginThrottle.addressKey(session.getIoSession().getRemoteAddress());
        if (lockedOut(session, address, null)) {
            return false;
        }
        if (busy(session)) {
            return false;
        }
        Optional<String> user;
        try {
            user = directory.userForKey(key);
        } finally {
            throttle.endCheck();
        }
        if (user.isEmpty()) {
            String fingerprint = KeyUtils.getFingerPrint(key);
            log.info("SSH {}: key {} not registered", session.getIoSession().getRemoteAddress(), fingerprint);
            if (session.getAttribute(KEY_FAILURE) == null) {
                session.setAttribute(KEY_FAILURE, Boolean.TRUE);
                failed(session, address, null, "unknown_key", "key", username, "key", fingerprint);
            }
            return false;
        }
        return accepted(session, address, user.get(), null, key, "key");
    }

    @Override
    public boolean authenticate(String username, String password, ServerSession session) {
        String address = LoginThrottle.addressKey(session.getIoSession().getRemoteAddress());
        if (lockedOut(session, address, null)) {
            return false;
        }
        if (busy(session)) {
            return false;
        }
        SshDirectory.Login login;
        try {
            login = directory.tokenLogin(password);
        } finally {
            throttle.endCheck();
        }
        if (!login.ok()) {
            log.info("SSH {}: password (API token) refused: {}", session.getIoSession().getRemoteAddress(),
                    login.refusal().wireName());
            failed(session, address, login.user(), login.refusal().wireName(), "password", username);
            return false;
        }
        return accepted(session, address, login.user(), login.tokenId(), null, "password");
    }

    /**
     * Takes one of the relay's permits for a credential check (shared with WebSocket hellos: one budget for what
     * unauthenticated peers may make the store do at once). None left: refused unchecked as busy, not counted as a
     * failure, and told to try again (then disconnected). Give a taken permit back with {@code throttle.endCheck()}.
     *
     * @return true when busy (refused)
     */
    private boolean busy(ServerSession session) {
        if (throttle.tryBeginCheck()) {
            return false;
        }
        metrics.rateLimitHit(RelayMetrics.Limit.AUTH_ATTEMPTS);
        if (session.getAttribute(LOCKED) == null) {
            session.setAttribute(LOCKED, Boolean.TRUE);
            log.info("SSH {}: login refused unchecked, {} credential checks already pending",
                    session.getIoSession().getRemoteAddress(), throttle.pendingChecks());
            disconnectSoon(session, SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS,
                    "Portway gateway: " + LoginThrottle.BUSY_MESSAGE);
        }
        return true;
    }

    /** Locked out after failed logins: refused unchecked, and told why (then disconnected). */
    private boolean lockedOut(ServerSession session, String address, String user) {
        long wait = throttle.retryAfterMs(address, user);
        if (wait <= 0) {
            return false;
        }
        metrics.rateLimitHit(RelayMetrics.Limit.AUTH_ATTEMPTS);
        if (session.getAttribute(LOCKED) == null) {
            session.setAttribute(LOCKED, Boolean.TRUE);
            log.info("SSH {}: login refused unchecked, locked out for {} ms", session.getIoSession().getRemoteAddress(), wait);
            disconnectSoon(session, SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
                    "Portway gateway: " + LoginThrottle.lockedMessage(wait));
        }
        return true;
    }

    private void failed(ServerSession session, String address, String user, String reason, String method, String login,
                        Object... more) {
        String remote = String.valueOf(session.getIoSession().getRemoteAddress());
        Object[] fields = new Object[8 + more.length];
        System.arraycopy(new Object[]{"reason", reason, "method", method, "login", login, "remote", remote}, 0, fields, 0, 8);
        System.arraycopy(more, 0, fields, 8, more.length);
        audit.record(AuditLog.AUTH_FAILURE, user, withVia(fields));
        long lockout = throttle.failed(address, user);
        if (lockout > 0) {
            audit.record(AuditLog.LIMIT, user, "limit", "auth_failures", "lockout_ms", lockout, "remote", remote, "via", "ssh");
        }
    }

    private static Object[] withVia(Object[] fields) {
        Object[] out = java.util.Arrays.copyOf(fields, fields.length + 2);
        out[fields.length] = "via";
        out[fields.length + 1] = "ssh";
        return out;
    }

    private boolean accepted(ServerSession session, String address, String user, String tokenId, PublicKey key, String how) {
        if (lockedOut(session, null, user)) { // the user is locked out (failed logins naming it)
            return false;
        }
        throttle.succeeded(user);
        session.setAttribute(USER, user);
        if (tokenId != null) {
            session.setAttribute(TOKEN_ID, tokenId);
        }
        if (key != null) {
            session.setAttribute(KEY, key);
        }
        if (session.getAttribute(COUNTED) == null && session.getAttribute(AUDITED) == null) {
            session.setAttribute(AUDITED, Boolean.TRUE); // a key is checked twice (query, then signature): once is enough
            audit.record(AuditLog.AUTH_SUCCESS, user, withVia(new Object[]{"method", how, "token", tokenId,
                    "remote", String.valueOf(session.getIoSession().getRemoteAddress())}));
        }
        return true;
    }

    private static final AttributeRepository.AttributeKey<Boolean> AUDITED = new AttributeRepository.AttributeKey<>();

    /** After the authentication answer is out: a disconnect written inside the auth handler garbles the stream. */
    private void disconnectSoon(Session session, int reason, String message) {
        timer.schedule(() -> {
            try {
                session.disconnect(reason, message);
            } catch (IOException e) {
                session.close(true);
            }
        }, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event != Event.Authenticated) {
            return;
        }
        String user = session.getAttribute(USER);
        int[] now = new int[1];
        perUser.compute(user, (u, n) -> {
            now[0] = n == null ? 1 : n + 1;
            return now[0];
        });
        session.setAttribute(COUNTED, Boolean.TRUE);
        metrics.sshSessionOpened();
        if (now[0] > maxSessions) {
            String message = "Portway gateway: " + user + " already has " + maxSessions
                    + " SSH sessions open, the most this relay allows — close one first.";
            log.info("SSH {} ({}) refused: {} sessions open", session.getIoSession().getRemoteAddress(), user, maxSessions);
            disconnectSoon(session, SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS, message);
            return;
        }
        log.info("SSH {} connected as {}", session.getIoSession().getRemoteAddress(), user);
        keepAlive(session, 0);
        recheck(session);
    }

    /**
     * Every {@code recheckEvery} the login is checked again, as a WebSocket session's JWT refresh is: a revoked
     * token, a disabled user or a removed key ends the connection, and with it its tunnels.
     */
    private void recheck(Session session) {
        timer.schedule(() -> Thread.ofVirtual().name("ssh-recheck").start(() -> {
            if (!session.isOpen()) {
                return;
            }
            String user = session.getAttribute(USER);
            SshDirectory.Login refused;
            try {
                refused = directory.recheck(user, session.getAttribute(TOKEN_ID), session.getAttribute(KEY));
            } catch (RuntimeException e) {
                log.warn("SSH {} ({}): cannot check the login again now ({}) — trying at the next interval",
                        session.getIoSession().getRemoteAddress(), user, e.toString());
                refused = null; // the store failed: like a WebSocket session, it goes on until the next check
            }
            if (refused == null) {
                recheck(session);
                return;
            }
            log.info("SSH {} ({}) ended: {}", session.getIoSession().getRemoteAddress(), user, refused.refusal().wireName());
            audit.record(AuditLog.AUTH_FAILURE, user, "reason", refused.refusal().wireName(), "token",
                    session.getAttribute(TOKEN_ID), "at", "recheck", "via", "ssh");
            try {
                session.disconnect(SshConstants.SSH2_DISCONNECT_BY_APPLICATION, "Portway gateway: " + refused.message());
            } catch (IOException e) {
                session.close(true);
            }
        }), recheckEvery.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * Dead clients: a {@code keepalive@openssh.com} request with want-reply every interval (OpenSSH answers every
     * global request); after {@code keepAliveMisses} unanswered in a row the connection is closed and its tunnels
     * freed — the SSH counterpart of the WebSocket heartbeat's dead_after.
     */
    private static final String KEEPALIVE = "keepalive@openssh.com";

    private void keepAlive(Session session, int misses) {
        timer.schedule(() -> Thread.ofVirtual().name("ssh-keepalive").start(() -> {
            if (!session.isOpen()) {
                return;
            }
            int missed = misses;
            try {
                // the request's name and want-reply are the payload: without them OpenSSH cannot parse the request
                // (9.2p1-2+deb12u10 and later never answer one), and every client looked dead after 3 intervals
                org.apache.sshd.common.util.buffer.Buffer request =
                        session.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST, KEEPALIVE.length() + Byte.SIZE);
                request.putString(KEEPALIVE);
                request.putBoolean(true);
                session.request(KEEPALIVE, request, keepAlive);
                missed = 0;
            } catch (IOException | RuntimeException e) {
                missed++;
            }
            if (missed >= keepAliveMisses) {
                log.info("SSH {} ({}) answered no keep-alive for {} — closing it", session.getIoSession().getRemoteAddress(),
                        session.getAttribute(USER), keepAlive.multipliedBy(keepAliveMisses + 1L));
                session.close(true);
            } else {
                keepAlive(session, missed);
            }
        }), keepAlive.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void sessionClosed(Session session) {
        if (session.removeAttribute(COUNTED) != null) {
            String user = session.getAttribute(USER);
            perUser.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
            metrics.sshSessionClosed();
            log.info("SSH {} ({}) ended", session.getIoSession().getRemoteAddress(), user);
        }
    }

    /** Connections of a user now (tests, metrics). */
    int sessions(String user) {
        return perUser.getOrDefault(user, 0);
    }
}
