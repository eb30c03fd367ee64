package dev.portway.relay.ssh;

import dev.portway.relay.metrics.RelayMetrics;
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
 * the login name is not used), at most {@code maxSessions} connections per user, the gauge and the log lines.
 * Thread-safe.
 */
final class GatewaySessions implements PublickeyAuthenticator, PasswordAuthenticator, SessionListener {
    static final AttributeRepository.AttributeKey<String> USER = new AttributeRepository.AttributeKey<>();
    private static final AttributeRepository.AttributeKey<Boolean> COUNTED = new AttributeRepository.AttributeKey<>();
    private static final Logger log = LoggerFactory.getLogger(GatewaySessions.class);

    private final SshDirectory directory;
    private final int maxSessions;
    private final RelayMetrics metrics;
    private final Map<String, Integer> perUser = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService timer;
    private final java.time.Duration keepAlive;
    private final int keepAliveMisses;

    /**
     * @param timer runs the keep-alives and delayed disconnects (never blocks: the waiting is done on virtual threads)
     */
    GatewaySessions(SshDirectory directory, int maxSessions, RelayMetrics metrics,
                    java.util.concurrent.ScheduledExecutorService timer, java.time.Duration keepAlive, int keepAliveMisses) {
        this.directory = directory;
        this.maxSessions = maxSessions;
        this.metrics = metrics;
        this.timer = timer;
        this.keepAlive = keepAlive;
        this.keepAliveMisses = keepAliveMisses;
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        return accept(session, directory.userForKey(key), "key");
    }

    @Override
    public boolean authenticate(String username, String password, ServerSession session) {
        return accept(session, directory.userForToken(password), "token");
    }

    private boolean accept(ServerSession session, Optional<String> user, String how) {
        if (user.isEmpty()) {
            log.info("SSH {}: {} not registered", session.getIoSession().getRemoteAddress(), how);
            return false;
        }
        session.setAttribute(USER, user.get());
        return true;
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
            // After the authentication answer is out: a disconnect written inside the auth handler garbles the stream.
            timer.schedule(() -> {
                try {
                    session.disconnect(SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS, message);
                } catch (IOException e) {
                    session.close(true);
                }
            }, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
            return;
        }
        log.info("SSH {} connected as {}", session.getIoSession().getRemoteAddress(), user);
        keepAlive(session, 0);
    }

    /**
     * Dead clients: a {@code keepalive@openssh.com} request with want-reply every interval (OpenSSH answers every
     * global request); after {@code keepAliveMisses} unanswered in a row the connection is closed and its tunnels
     * freed — the SSH counterpart of the WebSocket heartbeat's dead_after.
     */
    private void keepAlive(Session session, int misses) {
        timer.schedule(() -> Thread.ofVirtual().name("ssh-keepalive").start(() -> {
            if (!session.isOpen()) {
                return;
            }
            int missed = misses;
            try {
                session.request("keepalive@openssh.com", session.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST), keepAlive);
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
