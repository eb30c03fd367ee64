package dev.portway.desktop.e2e;

import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.RelayTrust;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.tls.TlsSettings;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * gRPC through a tunnel: a real grpc-java server is the local app (HTTP/2 only, reached over the engine's h2c local
 * leg, {@code local_protocol=h2c}), a real grpc-java client calls through a real relay over h2c with prior knowledge.
 * Unary, server-streaming (50 messages), client-streaming calls, and error statuses — one in a trailers-only answer,
 * one in the trailers after messages — arrive as the client expects: gRPC's status rides in HTTP trailers, which
 * cross the tunnel as the FIN's trailer block (PROTOCOL.md §3.2). No protoc: the methods carry UTF-8 strings.
 */
class GrpcThroughTunnelIT {
    private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<String, String> LIST = method("List", MethodDescriptor.MethodType.SERVER_STREAMING);
    private static final MethodDescriptor<String, String> COLLECT = method("Collect", MethodDescriptor.MethodType.CLIENT_STREAMING);

    private Server app;
    private Relay relay;
    private TunnelEngine engine;
    private ManagedChannel channel;

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder().setType(type).setFullMethodName("portway.test.Echo/" + name)
                .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();
    }

    @BeforeEach
    void start() throws IOException {
        app = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(echo()).build().start();
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token("secret").build());
        tunnel(RelayTrust.system());
        // h2c with prior knowledge to the relay's plain port; the tunnel is chosen by :authority
        channel = NettyChannelBuilder.forAddress("127.0.0.1", relay.port()).usePlaintext()
                .overrideAuthority("grpc.localhost:" + relay.port()).build();
    }

    private void tunnel(RelayTrust trust) {
        engine = new TunnelEngine(EngineConfig.of(URI.create(relay.connectUrl()), "secret",
                List.of(new TunnelSpec("http", "grpc", "127.0.0.1", app.getPort(),
                        Map.of(TunnelSpec.OPTION_LOCAL_PROTOCOL, TunnelSpec.LOCAL_PROTOCOL_H2C)))), Runnable::run, trust);
        engine.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
    }

    private static ServerServiceDefinition echo() {
        return ServerServiceDefinition.builder("portway.test.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((String req, StreamObserver<String> out) -> {
                    if (req.startsWith("missing:")) {
                        // before any message: grpc-java answers trailers-only (grpc-status in the one HEADERS frame)
                        out.onError(Status.NOT_FOUND.withDescription("no such thing: " + req.substring(8)).asRuntimeException());
                        return;
                    }
                    out.onNext("echo: " + req);
                    out.onCompleted();
                }))
                .addMethod(LIST, ServerCalls.asyncServerStreamingCall((String req, StreamObserver<String> out) -> {
                    int n = Integer.parseInt(req.replace("fail-after-", ""));
                    for (int i = 1; i <= n; i++) {
                        out.onNext("item " + i);
                    }
                    if (req.startsWith("fail-after-")) {
                        out.onError(Status.FAILED_PRECONDITION.withDescription("stopped after " + n).asRuntimeException());
                    } else {
                        out.onCompleted();
                    }
                }))
                .addMethod(COLLECT, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<String>() {
                    private final List<String> got = new ArrayList<>();

                    @Override
                    public void onNext(String value) {
                        got.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onNext("got " + got.size() + ": " + String.join(",", got));
                        out.onCompleted();
                    }
                }))
                .build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (engine != null) {
            engine.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (app != null) {
            app.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static CallOptions deadline() {
        return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @Test
    void aUnaryCallGetsItsAnswerAndAnOkStatus() {
        assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, deadline(), "hello")).isEqualTo("echo: hello");
        assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, deadline(), "again")).as("a second call on the same connection")
                .isEqualTo("echo: again");
    }

    @Test
    void aServerStreamingCallGetsAllFiftyMessagesInOrder() {
        Iterator<String> it = ClientCalls.blockingServerStreamingCall(channel, LIST, deadline(), "50");
        List<String> got = new ArrayList<>();
        it.forEachRemaining(got::add);

        assertThat(got).hasSize(50).startsWith("item 1", "item 2").endsWith("item 50");
    }

    @Test
    void aClientStreamingCallSendsEveryMessageBeforeTheAnswer() throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(channel.newCall(COLLECT, deadline()),
                new StreamObserver<>() {
                    @Override
                    public void onNext(String value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        for (String s : List.of("a", "b", "c")) {
            requests.onNext(s);
        }
        requests.onCompleted();

        assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo("got 3: a,b,c");
    }

    @Test
    void anErrorStatusInATrailersOnlyAnswerReachesTheClient() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, UNARY, deadline(), "missing:thing-42"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no such thing: thing-42");
                });
    }

    @Test
    void anErrorStatusInTheTrailersAfterMessagesReachesTheClient() {
        Iterator<String> it = ClientCalls.blockingServerStreamingCall(channel, LIST, deadline(), "fail-after-3");
        List<String> got = new ArrayList<>();

        assertThatThrownBy(() -> it.forEachRemaining(got::add)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).isEqualTo("stopped after 3");
        });
        assertThat(got).containsExactly("item 1", "item 2", "item 3");
    }

    @Test
    void overTlsWithAlpnH2TheCallsAndTheirStatusesArriveAsWell() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        engine.close();
        relay.close();
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token("secret")
                .tls(new TlsSettings(true, null, null, -1)).build());
        tunnel(RelayTrust.pinned(relay.tlsFingerprint()));
        // the relay's self-signed certificate: this client checks nothing, the point here is TLS with ALPN h2
        channel = NettyChannelBuilder.forAddress("127.0.0.1", relay.port()).overrideAuthority("grpc.localhost:" + relay.port())
                .sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build()).build();

        assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, deadline(), "over tls")).isEqualTo("echo: over tls");
        List<String> got = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(channel, LIST, deadline(), "50").forEachRemaining(got::add);
        assertThat(got).hasSize(50).endsWith("item 50");
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, UNARY, deadline(), "missing:tls"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void anAppThatRestartsIsReachedOnAFreshH2cConnection() throws Exception {
        assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, deadline(), "before")).isEqualTo("echo: before");
        int port = app.getPort();
        app.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        app = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).addService(echo()).build().start();

        assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, deadline(), "after")).isEqualTo("echo: after");
    }
}
