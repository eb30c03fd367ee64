package dev.portway.desktop.relaysetup;

import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.agent.common.AbstractAgentProxy;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * The keys of a running SSH agent ({@code SSH_AUTH_SOCK}) for MINA's client, over the JDK's own Unix-domain
 * sockets: MINA's {@code UnixAgentFactory} needs Tomcat's native APR library, which desktops do not have. Only the
 * client side (list keys, sign); no agent forwarding to the server. The private keys never leave the agent.
 */
final class AgentSocket extends AbstractAgentProxy {
    /** The agent protocol's own bound on a message (draft-miller-ssh-agent: 256 KiB). */
    private static final int MAX_MESSAGE = 256 * 1024;
    private final SocketChannel channel;

    private AgentSocket(Path socket) throws IOException {
        super(null);
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw new IOException("Cannot reach the SSH agent at " + socket + " (" + e.getMessage()
                    + ") — start one (eval $(ssh-agent); ssh-add) or choose a key file.", e);
        }
    }

    /** One request and its answer; the agent answers in order, one at a time. */
    @Override
    protected synchronized Buffer request(Buffer buffer) throws IOException {
        int wpos = buffer.wpos();
        buffer.wpos(0);
        buffer.putUInt(wpos - 4L);
        buffer.wpos(wpos);
        ByteBuffer out = ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available());
        while (out.hasRemaining()) {
            channel.write(out);
        }
        ByteBuffer len = readFully(4);
        int n = len.getInt();
        if (n <= 0 || n > MAX_MESSAGE) {
            throw new IOException("The SSH agent sent a message of " + n + " bytes — is SSH_AUTH_SOCK an SSH agent?");
        }
        return new ByteArrayBuffer(readFully(n).array());
    }

    private ByteBuffer readFully(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new EOFException("The SSH agent closed the connection");
            }
        }
        return b.flip();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            channel.close();
        }
    }

    /** Gives MINA's public-key authentication the agent's keys. */
    static SshAgentFactory factory(Path socket) {
        return new SshAgentFactory() {
            @Override
            public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
                return List.of();
            }

            @Override
            public SshAgent createClient(Session session, FactoryManager manager) throws IOException {
                return new AgentSocket(socket);
            }

            @Override
            public SshAgentServer createServer(ConnectionService service) {
                throw new UnsupportedOperationException("Portway does not forward the SSH agent to the server");
            }
        };
    }
}
