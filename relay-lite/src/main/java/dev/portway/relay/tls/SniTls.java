package dev.portway.relay.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.Mapping;

import java.util.concurrent.Executor;

/**
 * Chooses the TLS context per connection by the SNI name of its ClientHello (null when the client sent none), then
 * replaces itself with that context's handler. {@code select} runs on the event loop: it must answer from memory
 * and never block. Delegated handshake work runs on {@code handshakes}, as with a single certificate.
 */
public final class SniTls extends SniHandler {
    private final Executor handshakes;

    public SniTls(Mapping<String, SslContext> select, Executor handshakes) {
        super(select);
        this.handshakes = handshakes;
    }

    @Override
    protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
        return context.newHandler(allocator, handshakes);
    }
}
