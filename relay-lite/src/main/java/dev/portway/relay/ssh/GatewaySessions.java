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

    GatewaySessions(SshDirectory directory, int maxSessions, RelayMetrics metrics) {
        this.directory = directory;
        this.maxSessions = maxSessions;
        this.metrics = metrics;
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
            try {
                session.disconnect(SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS, message);
            } catch (IOException e) {
                session.close(true);
            }
            return;
        }
        log.info("SSH {} connected as {}", session.getIoSession().getRemoteAddress(), user);
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
