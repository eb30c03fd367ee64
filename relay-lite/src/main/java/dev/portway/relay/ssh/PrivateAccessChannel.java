package dev.portway.relay.ssh;

import dev.portway.relay.tunnel.Names;
import dev.portway.relay.tunnel.Session;
import dev.portway.relay.tunnel.StreamListener;
import dev.portway.relay.tunnel.Tunnel;
import dev.portway.relay.tunnel.TunnelBackend;
import dev.portway.relay.tunnel.TunnelStream;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelAsyncOutputStream;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.server.channel.AbstractServerChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code ssh -J user@relay:2222 me@<tunnel>} and {@code ssh -W <tunnel>:22}: a {@code direct-tcpip} channel
 * whose host is the name of a private TCP tunnel. The relay opens a stream over the owner's WebSocket session
 * to the owner's local target, exactly as for a visitor of a public TCP port. Only the owner and the users the
 * tunnel is shared with get through; any other name is refused.
 *
 * <p>Backpressure: bytes from the SSH client are released to its window only when the stream took them
 * (credit); bytes from the stream are written to the channel one at a time and their credit returned when
 * written. All stream state lives on one relay event loop.
 */
final class PrivateAccessChannel extends AbstractServerChannel implements StreamListener {
    private static final Logger log = LoggerFactory.getLogger(PrivateAccessChannel.class);

    /** Registers the channel type {@code direct-tcpip} with the gateway's rules. */
    static ChannelFactory factory(GatewayContext ctx) {
        return new ChannelFactory() {
            @Override
            public String getName() {
                return "direct-tcpip";
            }

            @Override
            public Channel createChannel(org.apache.sshd.common.session.Session session) {
                return new PrivateAccessChannel(ctx);
            }
        };
    }

    private final GatewayContext ctx;
    private final EventLoop loop;
    private OpenFuture openFuture;
    private ChannelAsyncOutputStream out;
    private String tunnelName;

    // Loop only.
    private TunnelStream stream;
    private final ArrayDeque<ByteBuf> toClient = new ArrayDeque<>();
    private boolean writing;
    private boolean finFromTunnel;
    private boolean eofSent;
    private boolean ended;
    private long unreleased;
    private boolean blocked;

    private PrivateAccessChannel(GatewayContext ctx) {
        super("", List.of(), null);
        this.ctx = ctx;
        this.loop = ctx.loops().next();
    }

    @Override
    protected OpenFuture doInit(Buffer buffer) {
        String host = buffer.getString();
        int port = buffer.getInt();
        String originHost = buffer.getString();
        int originPort = buffer.getInt();
        openFuture = new DefaultOpenFuture(this, futureLock);
        String user = getSession().getAttribute(GatewaySessions.USER);
        String name = Names.normalize(host);
        Tunnel<Session> tunnel = name == null ? null : ctx.registry().lookup(name);
        if (tunnel == null || !Protocol.KIND_TCP.equals(tunnel.kind()) || !tunnel.isPrivate() || !tunnel.reachableBy(user)) {
            log.info("SSH ({}) refused direct-tcpip to {}:{}", user, host, port);
            return refuse("Portway: there is no private tunnel \"" + host + "\" that " + user
                    + " may reach — check the name, or ask its owner to share it with you (share=" + user + ").");
        }
        tunnelName = name;
        out = new ChannelAsyncOutputStream(this, SshConstants.SSH_MSG_CHANNEL_DATA);
        String remote = "ssh:" + user + "@" + originHost + ":" + originPort;
        TunnelBackend.Opened opened = tunnel.backend().openStream(OpenMessage.tcp(name, remote), loop, this);
        if (opened.stream() == null) {
            return refuse("Portway: the tunnel " + name + " is busy or its owner is reconnecting — try again shortly.");
        }
        TunnelStream s = opened.stream();
        execute(() -> stream = s); // before any task of this channel's data: the loop runs tasks in order
        log.info("SSH ({}) opened private tunnel {} from {}:{}", user, name, originHost, originPort);
        // Confirmed now, as MINA's own session channels are: if the owner's side cannot connect to its
        // target, the stream is reset and the channel closed.
        signalChannelOpenSuccess(); // sshd 2.20 confirms the open to the client on this signal
        openFuture.setOpened();
        return openFuture;
    }

    private OpenFuture refuse(String message) {
        SshChannelOpenException e = new SshChannelOpenException(getChannelId(), SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, message);
        GatewayConnectionService.refusal(getSession(), getRecipient(), message);
        signalChannelOpenFailure(e);
        openFuture.setException(e);
        close(true);
        return openFuture;
    }

    private void failOpen(int reason, String message) {
        ended = true;
        openFuture.setException(new SshChannelOpenException(getChannelId(), reason, message));
        close(true);
    }

    @Override
    protected boolean mayWrite() {
        return !isClosed();
    }

    // ---- SSH client → tunnel (SSHD threads, then the loop)

    @Override
    protected void doWriteData(byte[] data, int off, long len) {
        byte[] copy = new byte[(int) len];
        System.arraycopy(data, off, copy, 0, (int) len);
        if (!execute(() -> {
            if (ended || stream == null) {
                release(copy.length);
                return;
            }
            if (stream.sendData(Unpooled.wrappedBuffer(copy))) {
                release(copy.length);
            } else {
                blocked = true;
                unreleased += copy.length; // the client waits for window until the tunnel has credit again
            }
        })) {
            close(true);
        }
    }

    @Override
    protected void doWriteExtendedData(byte[] data, int off, long len) throws IOException {
        throw new IOException("direct-tcpip carries no extended data");
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        execute(() -> {
            if (stream != null && !ended) {
                stream.sendFin();
            }
        });
    }

    @Override
    protected void preClose() {
        execute(() -> {
            if (!ended) {
                ended = true;
                if (stream != null) {
                    stream.sendRst(ErrorCode.CANCEL, "The SSH client closed the connection.");
                }
                ByteBuf b;
                while ((b = toClient.poll()) != null) {
                    b.release();
                }
            }
        });
        super.preClose();
    }

    private void release(long n) {
        try {
            if (isOpen()) {
                getLocalWindow().release(n);
            }
        } catch (IOException e) {
            close(true);
        }
    }

    @Override
    public void handleWindowAdjust(Buffer buffer) throws IOException {
        super.handleWindowAdjust(buffer);
        if (out != null) {
            out.onWindowExpanded();
        }
    }

    // ---- tunnel → SSH client (StreamListener, on the loop)

    @Override
    public void onReply(ReplyMessage reply) {
        // the owner's side connected to its target; the channel was confirmed already
    }

    @Override
    public void onData(ByteBuf data) {
        if (ended) {
            int n = data.readableBytes();
            data.release();
            stream.consumed(n);
            return;
        }
        toClient.add(data);
        pump();
    }

    private void pump() {
        if (writing || ended) {
            return;
        }
        ByteBuf next = toClient.poll();
        if (next == null) {
            if (finFromTunnel && !eofSent) {
                eofSent = true;
                try {
                    sendEof();
                } catch (IOException e) {
                    close(true);
                }
            }
            return;
        }
        int n = next.readableBytes();
        byte[] bytes = ByteBufUtil.getBytes(next);
        next.release();
        writing = true;
        try {
            out.writeBuffer(new ByteArrayBuffer(bytes)).addListener(f -> execute(() -> {
                writing = false;
                if (!f.isWritten()) {
                    close(true);
                    return;
                }
                if (!ended) {
                    stream.consumed(n);
                }
                pump();
            }));
        } catch (IOException e) {
            writing = false;
            close(true);
        }
    }

    @Override
    public void onFin() {
        finFromTunnel = true;
        pump();
    }

    @Override
    public void onRst(ErrorCode code, String message) {
        ended = true;
        log.info("Private tunnel {} over SSH ended: {}", tunnelName, message);
        close(false);
    }

    @Override
    public void onSessionGone() {
        onRst(ErrorCode.CANCEL, "its client disconnected");
    }

    @Override
    public void onWritable() {
        if (blocked) {
            blocked = false;
            long n = unreleased;
            unreleased = 0;
            release(n);
        }
    }

    private boolean execute(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }
}
