package dev.portway.relay.admin;

import dev.portway.relay.auth.Principal;
import dev.portway.relay.tunnel.Session;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

import java.util.Collection;

/**
 * Ends the client sessions of this relay process at once: those of a user, or of one token. Reads a
 * concurrent collection and closes sessions (which hand the close to their event loop): any thread.
 */
public final class RelaySessions implements LiveSessions {
    private final Collection<Session> sessions;

    public RelaySessions(Collection<Session> sessions) {
        this.sessions = sessions;
    }

    @Override
    public int endSessionsOfUser(String user, String reason) {
        int n = 0;
        for (Session s : sessions) {
            Principal p = s.principal();
            if (p != null && p.user().equals(user)) {
                s.close(WebSocketCloseStatus.POLICY_VIOLATION.code(), reason);
                n++;
            }
        }
        return n;
    }

    @Override
    public int endSessionsOfToken(String tokenId, String reason) {
        int n = 0;
        for (Session s : sessions) {
            Principal p = s.principal();
            if (p != null && tokenId.equals(p.tokenId())) {
                s.close(WebSocketCloseStatus.POLICY_VIOLATION.code(), reason);
                n++;
            }
        }
        return n;
    }
}
