package dev.portway.relay.cluster;

import dev.portway.relay.tls.RelayTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * TLS on node-to-node links ({@code --cluster-tls}, docs/cluster.md "Node links"). Each node makes a self-signed
 * certificate at start; a dialling node does not check certificates. What authenticates a link is still the cluster
 * secret ({@link LinkAuth}), and with TLS both proofs also cover the connection's TLS exporter value (RFC 9266
 * {@code tls-exporter}, label {@value #EXPORTER_LABEL}): a machine in the middle that terminates TLS towards each
 * node has two different exporter values, so neither node accepts the proofs it passes on, and it learns nothing
 * from the bytes. TLS 1.3 only (the exporter is defined for it). Immutable and thread-safe.
 */
final class LinkTls {
    static final String EXPORTER_LABEL = "EXPORTER-Channel-Binding";
    private static final String[] PROTOCOLS = {"TLSv1.3"};

    private final SslContext server;
    private final SslContext client;

    private LinkTls(SslContext server, SslContext client) {
        this.server = server;
        this.client = client;
    }

    /** A fresh key and self-signed certificate for this node's end of its links. */
    static LinkTls create(String nodeId) throws IOException {
        byte[][] pem = RelayTls.generate(nodeId + ".cluster.portway");
        try {
            SslContext server = SslContextBuilder.forServer(new ByteArrayInputStream(pem[0]), new ByteArrayInputStream(pem[1]))
                    .sslProvider(SslProvider.JDK).protocols(PROTOCOLS).build();
            SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(PROTOCOLS)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
            return new LinkTls(server, client);
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException("Cannot set up TLS for the node links: " + e.getMessage(), e);
        }
    }

    SslHandler serverHandler(ByteBufAllocator alloc) {
        return server.newHandler(alloc);
    }

    SslHandler clientHandler(ByteBufAllocator alloc, String host, int port) {
        return client.newHandler(alloc, host, port);
    }

    /**
     * The connection's channel binding: 32 bytes of its TLS exporter, or null when the link has no TLS.
     *
     * @throws IllegalStateException when the link has TLS but its session cannot export (not TLS 1.3)
     */
    static byte[] binding(Channel ch) {
        SslHandler tls = ch.pipeline().get(SslHandler.class);
        if (tls == null) {
            return null;
        }
        SSLSession session = tls.engine().getSession();
        if (!(session instanceof ExtendedSSLSession ext)) {
            throw new IllegalStateException("the link's TLS session cannot export keying material");
        }
        try {
            return ext.exportKeyingMaterialData(EXPORTER_LABEL, new byte[0], 32);
        } catch (javax.net.ssl.SSLKeyException | UnsupportedOperationException e) {
            throw new IllegalStateException("the link's TLS session cannot export keying material: " + e.getMessage(), e);
        }
    }
}
