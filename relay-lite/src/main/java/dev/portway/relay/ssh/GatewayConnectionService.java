package dev.portway.relay.ssh;

import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.AbstractServerSession;
import org.apache.sshd.server.session.ServerConnectionService;
import org.apache.sshd.server.session.ServerConnectionServiceFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * sshd's connection service, except that a refused channel open carries the gateway's own message (sshd 2.20
 * sends "Generic error while opening channel" whatever the refusal said): OpenSSH prints it, so a user learns
 * why, e.g. that a private tunnel is not shared with them.
 */
final class GatewayConnectionService extends ServerConnectionService {
    /** Refusal messages by the client's channel id, left by a channel that refuses its open. */
    private static final AttributeRepository.AttributeKey<Map<Long, String>> REFUSALS = new AttributeRepository.AttributeKey<>();

    static final ServerConnectionServiceFactory FACTORY = new ServerConnectionServiceFactory() {
        @Override
        public org.apache.sshd.common.Service create(Session session) throws IOException {
            GatewayConnectionService service = new GatewayConnectionService((AbstractServerSession) session);
            service.addPortForwardingEventListenerManager(this);
            return service;
        }
    };

    private GatewayConnectionService(AbstractServerSession session) throws SshException {
        super(session);
    }

    /** Leaves the message for the open failure of the client's channel {@code sender}. */
    static void refusal(Session session, long sender, String message) {
        session.computeAttributeIfAbsent(REFUSALS, k -> new ConcurrentHashMap<>()).put(sender, message);
    }

    @Override
    protected IoWriteFuture sendChannelOpenFailure(Buffer buffer, long sender, int reasonCode, String message, String lang)
            throws IOException {
        Map<Long, String> refusals = getSession().getAttribute(REFUSALS);
        String mine = refusals == null ? null : refusals.remove(sender);
        return super.sendChannelOpenFailure(buffer, sender, reasonCode, mine != null ? mine : message, lang);
    }
}
