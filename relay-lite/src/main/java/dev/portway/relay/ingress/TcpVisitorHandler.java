package dev.portway.relay.ingress;

import dev.portway.relay.metrics.RelayMetrics;
import dev.portway.relay.metrics.RelayMetrics.Kind;
import dev.portway.relay.metrics.RelayMetrics.Outcome;
import dev.portway.relay.metrics.RelayMetrics.Refusal;
import dev.portway.relay.metrics.TunnelTraffic;
import dev.portway.relay.tunnel.TunnelBackend;
import dev.portway.relay.tunnel.TunnelStream;
import dev.portway.relay.tunnel.VisitorProtection;
import dev.portway.relay.tunnel.StreamListener;
import dev.portway.relay.tunnel.Tunnel;
import dev.portway.relay.tunnel.TunnelRegistry;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;

/**
 * One visitor connection to a TCP tunnel's public port, carried as one stream (PROTOCOL.md §6.3).
 * The channel starts with auto-read off and is read only after the client's REPLY and while there is
 * credit. Runs on the visitor's event loop.
 */
final class TcpVisitorHandler extends ChannelInboundHandlerAdapter implements StreamListener {
    private final String tunnelName;
    private final TunnelRegistry<?> registry;
    private final RelayMetrics metrics;
    private final long startNanos = System.nanoTime();
    private ChannelHandlerContext ctx;
    /** The connection's outcome was counted. */
    private boolean counted;
    private TunnelStream stream;
    /** The tunnel's traffic counters, looked up once per connection. */
    private TunnelTraffic.Counters traffic = TunnelTraffic.Counters.NONE;
    private boolean replied;
    private boolean creditBlocked;
    private boolean inputClosed;
    private boolean outputClosed;

    TcpVisitorHandler(String tunnelName, TunnelRegistry<?> registry, RelayMetrics metrics) {
        this.tunnelName = tunnelName;
        this.registry = registry;
        this.metrics = metrics;
    }

    private void count(Outcome outcome) {
        if (!counted) {
            counted = true;
            if (outcome == Outcome.REJECTED || outcome == Outcome.CANCELLED) {
                metrics.request(Kind.TCP, outcome);
            } else {
                metrics.request(Kind.TCP, outcome, startNanos);
            }
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext c) {
        ctx = c;
        metrics.connectionOpened(Kind.TCP);
        Tunnel<?> tunnel = registry.lookup(tunnelName);
        if (tunnel == null || !Protocol.KIND_TCP.equals(tunnel.kind())) {
            count(Outcome.REJECTED);
            c.close(); // held for a reconnecting client, or gone
            return;
        }
        VisitorProtection protection = tunnel.protection();
        if (!protection.admits(VisitorGate.socketAddress(c.channel()))) {
            if (!protection.isPending()) {
                metrics.refused(Refusal.IP_LIST);
            }
            count(Outcome.REJECTED);
            c.close(); // a TCP visitor gets no page: the connection closes at once
            return;
        }
        String remote = ProxyProtocol.remote(c.channel()) instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() + ":" + a.getPort() : "unknown";
        TunnelBackend.Opened opened = tunnel.backend().openStream(OpenMessage.tcp(tunnelName, remote), c.channel().eventLoop(), this);
        if (opened.stream() == null) {
            count(Outcome.REJECTED);
            c.close();
            return;
        }
        stream = opened.stream();
        traffic = metrics.traffic().of(tunnelName, tunnel);
        traffic.request();
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        if (msg instanceof ByteBuf buf && stream != null) {
            traffic.in(buf.readableBytes());
            if (!stream.sendData(buf)) {
                creditBlocked = true;
                updateRead();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void updateRead() {
        ctx.channel().config().setAutoRead(replied && !creditBlocked && !inputClosed);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && stream != null) {
            inputClosed = true;
            stream.sendFin();
            closeIfBothShut();
        }
        c.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        metrics.connectionClosed(Kind.TCP);
        count(Outcome.CANCELLED);
        if (stream != null) {
            stream.sendRst(ErrorCode.CANCEL, "The visitor's connection closed.");
        }
        c.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        c.close();
    }

    @Override
    public void onReply(ReplyMessage reply) {
        replied = true;
        count(Outcome.OK);
        updateRead();
    }

    @Override
    public void onData(ByteBuf data) {
        int n = data.readableBytes();
        traffic.out(n);
        ctx.writeAndFlush(data).addListener(f -> stream.consumed(n));
    }

    @Override
    public void onFin() {
        outputClosed = true;
        // after the queued writes: shutdownOutput fails whatever is still in the outbound buffer
        ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> {
            ((SocketChannel) ctx.channel()).shutdownOutput();
            closeIfBothShut();
        });
    }

    private void closeIfBothShut() {
        if (inputClosed && outputClosed) {
            ctx.close();
        }
    }

    @Override
    public void onRst(ErrorCode code, String message) {
        count(Outcome.TARGET_ERROR);
        ctx.close();
    }

    @Override
    public void onSessionGone() {
        count(Outcome.TARGET_ERROR);
        ctx.close();
    }

    @Override
    public void onWritable() {
        creditBlocked = false;
        updateRead();
    }
}
