package dev.portway.relay.ssh;

import org.apache.sshd.client.channel.AbstractClientChannel;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.ChannelAsyncOutputStream;
import org.apache.sshd.common.channel.LocalWindow;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

import java.io.IOException;

/**
 * A {@code forwarded-tcpip} channel the gateway opens to an {@code ssh -R} client for one visitor
 * (RFC 4254 §7.2): the client connects it to its local target. Bytes from the client go to a {@link Sink};
 * the local window is released only when the sink says they were passed on, so a slow visitor slows the
 * client down instead of filling the relay's memory. Written on SSHD's threads.
 */
final class ForwardedChannel extends AbstractClientChannel {
    /** What the channel tells its owner. Called on SSHD's threads. */
    interface Sink {
        void opened();

        void openFailed(Throwable cause);

        /** Bytes from the client; {@link #release} them once passed on. The array is the sink's. */
        void data(byte[] bytes);

        void eof();

        void closed();
    }

    private final String boundHost;
    private final int boundPort;
    private final String originHost;
    private final int originPort;
    private final Sink sink;

    /**
     * @param boundHost the address of the client's {@code tcpip-forward} request, as it sent it
     * @param boundPort the port it was told (the assigned one for a request of port 0)
     */
    ForwardedChannel(String boundHost, int boundPort, String originHost, int originPort, Sink sink) {
        super("forwarded-tcpip");
        this.boundHost = boundHost;
        this.boundPort = boundPort;
        this.originHost = originHost;
        this.originPort = originPort;
        this.sink = sink;
        setStreaming(Streaming.Async);
        addCloseFutureListener(f -> sink.closed());
    }

    @Override
    public synchronized OpenFuture open() throws IOException {
        if (isClosing()) {
            throw new IOException("The SSH connection is closing");
        }
        openFuture = new DefaultOpenFuture(this, futureLock);
        openFuture.addListener(f -> {
            if (f.isOpened()) {
                sink.opened();
            } else {
                sink.openFailed(f.getException() == null ? new IOException("refused") : f.getException());
            }
        });
        LocalWindow window = getLocalWindow();
        Buffer b = getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_OPEN, 64 + boundHost.length() + originHost.length());
        b.putString(getChannelType());
        b.putUInt(getChannelId());
        b.putUInt(window.getSize());
        b.putUInt(window.getPacketSize());
        b.putString(boundHost);
        b.putUInt(boundPort);
        b.putString(originHost);
        b.putUInt(originPort);
        writePacket(b);
        return openFuture;
    }

    @Override
    protected void doOpen() {
        asyncIn = new ChannelAsyncOutputStream(this, SshConstants.SSH_MSG_CHANNEL_DATA);
    }

    @Override
    protected void doWriteData(byte[] data, int off, long len) {
        byte[] copy = new byte[(int) len];
        System.arraycopy(data, off, copy, 0, (int) len);
        sink.data(copy);
    }

    @Override
    protected void doWriteExtendedData(byte[] data, int off, long len) throws IOException {
        getLocalWindow().release(len); // stderr of a forwarded channel: not part of the stream
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        sink.eof();
    }

    /** Writes bytes towards the client; at most one write may be outstanding. */
    IoWriteFuture write(byte[] bytes) throws IOException {
        return asyncIn.writeBuffer(new ByteArrayBuffer(bytes));
    }

    /** Half-closes towards the client (after the last write completed). */
    void eof() throws IOException {
        sendEof();
    }

    /** {@code n} bytes from the client were passed on: it may send that many more. */
    void release(long n) {
        try {
            if (n > 0 && isOpen()) {
                getLocalWindow().release(n);
            }
        } catch (IOException e) {
            close(true);
        }
    }
}
