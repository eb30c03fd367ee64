package dev.portway.relay.security;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.ingress.VisitorLimits;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import io.netty.util.ResourceLeakDetector;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random and mutated HTTP request heads, each on its own raw socket, against a real relay on port 0 with one HTTP
 * tunnel whose client answers every request. Each visitor gets a well-formed response (status line and a whole
 * head) or a clean close within {@link #DEADLINE}; the relay stays healthy (health page and the tunnel still answer)
 * and logs no error and no exception. Tries: {@code jqwik.tries.default} (200 in CI, a few seconds;
 * {@code bench/fuzz.sh} runs more).
 */
class VisitorHeadFuzzIT {
    static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] [1-5][0-9]{2}( [^\\r\\n]*)?\\r\\n");
    private static final String TOKEN = "s3cret";
    private static final OkHttpClient HTTP = new OkHttpClient();

    static Path dataDir;
    static Relay relay;
    static WebSocket tunnel;
    static BadLogs badLogs;
    static ResourceLeakDetector.Level leakLevel;
    static final AtomicInteger tries = new AtomicInteger();
    static final Map<String, Integer> outcomes = new TreeMap<>();
    static final Map<String, Long> millis = new TreeMap<>();

    @BeforeContainer
    static void startRelayAndTunnel() throws Exception {
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID); // a leaked buffer is logged as an ERROR
        badLogs = BadLogs.attach();
        dataDir = Files.createTempDirectory("portway-fuzz-relay");
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN).tcpPortFrom(0).tcpPortTo(0)
                .dataDir(dataDir)
                // No request rate limit: every try comes from 127.0.0.1. Short timeouts: a head that never ends costs 1 s.
                .visitorLimits(VisitorLimits.DEFAULTS.withRatePerMinute(0).withTimeouts(Duration.ofSeconds(1), 1024, Duration.ofSeconds(5)))
                .build());
        CompletableFuture<ControlMessage.Bound> bound = new CompletableFuture<>();
        tunnel = HTTP.newWebSocket(new Request.Builder().url(relay.connectUrl()).build(), new AnsweringClient(bound));
        tunnel.send(ByteString.of(FrameCodec.encode(Frame.control(
                new ControlMessage.Hello(List.of(Protocol.VERSION), TOKEN, "fuzz/1", null, null, null, null)))));
        assertThat(bound.get(10, TimeUnit.SECONDS).name()).isEqualTo("app");
        assertHealthy();
    }

    @AfterContainer
    static void stopRelay() throws IOException {
        try {
            if (relay != null) {
                System.gc(); // lets the leak detector see buffers nobody released; the next allocations report them
                assertHealthy();
                badLogs.assertNone();
                System.out.println("visitor head fuzz: " + tries.get() + " tries, outcomes " + outcomes + ", ms spent per outcome " + millis);
            }
        } finally {
            if (tunnel != null) {
                tunnel.cancel();
            }
            if (relay != null) {
                relay.shutdown(Duration.ofMillis(200));
            }
            badLogs.detach();
            ResourceLeakDetector.setLevel(leakLevel);
            if (dataDir != null) {
                try (Stream<Path> files = Files.walk(dataDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Property
    void everyHeadGetsAWellFormedResponseOrACleanClose(@ForAll("heads") byte[] head, @ForAll("halfClose") boolean halfClose) throws Exception {
        long start = System.nanoTime();
        String outcome = visit(head, halfClose);
        synchronized (outcomes) {
            outcomes.merge(outcome, 1, Integer::sum);
            millis.merge(outcome, (System.nanoTime() - start) / 1_000_000, Long::sum);
        }
        badLogs.assertNone();
        if (tries.incrementAndGet() % 25 == 0) {
            assertHealthy();
        }
    }

    /** Sends {@code head}, then reads: a response head ({@code "400"}, …) or a close ({@code "closed"}); fails otherwise. */
    static String visit(byte[] head, boolean halfClose) throws IOException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        try (Socket s = new Socket("127.0.0.1", relay.port())) {
            s.setSoTimeout((int) DEADLINE.toMillis());
            try {
                s.getOutputStream().write(head);
                s.getOutputStream().flush();
                if (halfClose) {
                    s.shutdownOutput(); // the relay sees the end at once instead of waiting for its header timeout
                }
            } catch (IOException closedWhileSending) {
                return "closed";
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (!got.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("neither a response nor a close within " + DEADLINE + " for " + show(head));
                } catch (IOException reset) {
                    n = -1;
                }
                if (n < 0) {
                    assertThat(got.size()).as("a response cut off before its head ended, for %s: %s", show(head), got).isZero();
                    return "closed";
                }
                got.write(buf, 0, n);
                assertThat(System.nanoTime()).as("response head within the deadline for %s", show(head)).isLessThan(deadline);
            }
            String response = got.toString(StandardCharsets.ISO_8859_1);
            assertThat(STATUS_LINE.matcher(response).lookingAt()).as("a status line for %s: %s", show(head), response).isTrue();
            String[] lines = response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n");
            for (int i = 1; i < lines.length; i++) {
                assertThat(lines[i]).as("a header field in the response to %s", show(head)).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+: ?[^\\r\\n]*");
            }
            return response.substring(9, 12);
        }
    }

    /** The health page answers 200 and the tunnel still answers a plain request. */
    static void assertHealthy() throws IOException {
        String health = "GET " + Protocol.HEALTH_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        assertThat(visit(health.getBytes(StandardCharsets.ISO_8859_1), false)).as("health").isEqualTo("200");
        String plain = "GET /t/app/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        assertThat(visit(plain.getBytes(StandardCharsets.ISO_8859_1), false)).as("a request through the tunnel").isEqualTo("200");
    }

    private static String show(byte[] head) {
        String s = new String(head, 0, Math.min(head.length, 300), StandardCharsets.ISO_8859_1);
        return "[" + head.length + " bytes] " + s.replace("\r", "\\r").replace("\n", "\\n");
    }

    // ---- the heads ---------------------------------------------------------------------------------------------

    static final List<String> VALID = List.of(
            "GET /t/app/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "GET /x?y=1 HTTP/1.1\r\nHost: app.localhost\r\nAccept: */*\r\nUser-Agent: fuzz\r\n\r\n",
            "POST /t/app/hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":[1,2]}",
            "POST / HTTP/1.1\r\nHost: app.localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "GET " + Protocol.HEALTH_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "GET /t/app/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
            "GET " + Protocol.CONNECT_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
            "GET http://app.localhost/x HTTP/1.1\r\nHost: app.localhost\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "CONNECT app.localhost:443 HTTP/1.1\r\nHost: app.localhost:443\r\n\r\n",
            "HEAD /t/app/ HTTP/1.0\r\n\r\n",
            "GET /t/app/a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /t/app/b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "POST /t/app/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
            "POST /t/app/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
            "GET /t/app/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n b\r\n\r\n",
            "GET /t/app/%2e%2e/%00?q=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 10.0.0.1\r\nCookie: a=b\r\n\r\n");

    private static final List<String> SPECIAL = List.of("\r", "\n", "\r\n", "\r\n\r\n", "\0", " ", ":", "/", "%", "?", "#", "\t",
            "\u00ff", "\"", "HTTP/1.1", "Content-Length: 99999999999\r\n", "Transfer-Encoding: gzip, chunked\r\n",
            "Host: evil.example\r\n", "Expect: 100-continue\r\n", "Upgrade: h2c\r\n", "Connection: close\r\n");

    /** Mostly half-closed after the head (the relay sees the end at once); one in eight waits for the header timeout. */
    @Provide
    Arbitrary<Boolean> halfClose() {
        return Arbitraries.frequency(Tuple.of(7, true), Tuple.of(1, false));
    }

    @Provide
    Arbitrary<byte[]> heads() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> lines = Arbitraries.strings().withCharRange(' ', '~').withChars('\r', '\n', '\t').ofMaxLength(300)
                .map(s -> (s + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        Arbitrary<byte[]> mutated = Combinators.combine(Arbitraries.of(VALID), mutation().list().ofMinSize(1).ofMaxSize(4))
                .as((valid, changes) -> {
                    byte[] b = valid.getBytes(StandardCharsets.ISO_8859_1);
                    for (Mutation m : changes) {
                        b = m.apply(b);
                    }
                    return b;
                });
        Arbitrary<byte[]> valid = Arbitraries.of(VALID).map(v -> v.getBytes(StandardCharsets.ISO_8859_1));
        return Arbitraries.frequencyOf(
                Tuple.of(2, random), Tuple.of(2, lines),
                Tuple.of(7, mutated), Tuple.of(1, valid));
    }

    interface Mutation {
        byte[] apply(byte[] head);
    }

    private static Arbitrary<Mutation> mutation() {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<byte[]> special = Arbitraries.of(SPECIAL).map(s -> s.getBytes(StandardCharsets.ISO_8859_1));
        Arbitrary<byte[]> junk = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8);
        Arbitrary<byte[]> huge = Arbitraries.of(100, 1000, 9000, 20_000).map(n -> "a".repeat(n).getBytes(StandardCharsets.ISO_8859_1));
        Arbitrary<Mutation> replace = Combinators.combine(at, Arbitraries.bytes()).as((i, b) -> h -> {
            byte[] c = h.clone();
            if (c.length > 0) {
                c[i % c.length] = b;
            }
            return c;
        });
        Arbitrary<Mutation> insert = Combinators.combine(at, Arbitraries.oneOf(special, junk, huge)).as((i, ins) -> h -> {
            int p = i % (h.length + 1);
            byte[] c = new byte[h.length + ins.length];
            System.arraycopy(h, 0, c, 0, p);
            System.arraycopy(ins, 0, c, p, ins.length);
            System.arraycopy(h, p, c, p + ins.length, h.length - p);
            return c;
        });
        Arbitrary<Mutation> delete = Combinators.combine(at, Arbitraries.integers().between(1, 40)).as((i, n) -> h -> {
            int p = i % (h.length + 1);
            int end = Math.min(h.length, p + n);
            byte[] c = new byte[h.length - (end - p)];
            System.arraycopy(h, 0, c, 0, p);
            System.arraycopy(h, end, c, p, h.length - end);
            return c;
        });
        Arbitrary<Mutation> repeatLine = Combinators.combine(at, Arbitraries.of(2, 50, 150)).as((i, times) -> h -> {
            String s = new String(h, StandardCharsets.ISO_8859_1);
            String[] parts = s.split("\r\n", -1);
            int line = i % parts.length;
            String again = (parts[line] + "\r\n").repeat(times);
            int start = 0;
            for (int k = 0; k < line; k++) {
                start += parts[k].length() + 2;
            }
            return (s.substring(0, start) + again + s.substring(Math.min(s.length(), start))).getBytes(StandardCharsets.ISO_8859_1);
        });
        Arbitrary<Mutation> cut = at.map(i -> h -> java.util.Arrays.copyOf(h, i % (h.length + 1)));
        Arbitrary<Mutation> bareLf = Arbitraries.just(h -> new String(h, StandardCharsets.ISO_8859_1).replace("\r\n", "\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        return Arbitraries.oneOf(replace, insert, delete, repeatLine, cut, bareLf);
    }

    // ---- the tunnel's client -------------------------------------------------------------------------------------

    /** Binds tunnel {@code app} once welcomed; answers every request 200 "ok"; grants back the credit of every DATA. */
    private static final class AnsweringClient extends WebSocketListener {
        private final CompletableFuture<ControlMessage.Bound> bound;

        AnsweringClient(CompletableFuture<ControlMessage.Bound> bound) {
            this.bound = bound;
        }

        @Override
        public void onMessage(WebSocket ws, ByteString bytes) {
            try {
                Frame f = FrameCodec.decode(bytes.asByteBuffer());
                switch (f.type()) {
                    case CONTROL -> {
                        ControlMessage m = Json.read(f.payload(), ControlMessage.class);
                        if (m instanceof ControlMessage.Welcome) {
                            send(ws, Frame.control(new ControlMessage.Bind("1", "http", "app", null, Map.of())));
                        } else if (m instanceof ControlMessage.Bound b) {
                            bound.complete(b);
                        } else if (m instanceof ControlMessage.Ping p) {
                            send(ws, Frame.control(new ControlMessage.Pong(p.seq(), p.time())));
                        } else if (!(m instanceof ControlMessage.Pong)) {
                            bound.completeExceptionally(new AssertionError("unexpected " + m));
                        }
                    }
                    case OPEN -> {
                        send(ws, Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of(new Header("Content-Length", "2")))));
                        send(ws, Frame.data(f.streamId(), "ok".getBytes(StandardCharsets.US_ASCII), 0, 2));
                        send(ws, Frame.fin(f.streamId()));
                    }
                    case DATA -> {
                        if (f.payloadLength() > 0) {
                            send(ws, Frame.windowUpdate(0, f.payloadLength()));
                            send(ws, Frame.windowUpdate(f.streamId(), f.payloadLength()));
                        }
                    }
                    default -> {
                        // FIN and RST of visitors' streams: nothing to do
                    }
                }
            } catch (Exception e) {
                bound.completeExceptionally(e);
                badLogs.add("the tunnel client could not read a frame: " + e);
            }
        }

        private static void send(WebSocket ws, Frame frame) {
            ByteBuffer b = FrameCodec.encode(frame);
            ws.send(ByteString.of(b));
        }
    }

    // ---- the relay's log -------------------------------------------------------------------------------------------

    /** Collects every ERROR and every WARN with an exception, from any logger, while attached to the root logger. */
    static final class BadLogs extends AppenderBase<ILoggingEvent> {
        private final Queue<String> bad = new ConcurrentLinkedQueue<>();

        static BadLogs attach() {
            BadLogs a = new BadLogs();
            a.setName("fuzz-bad-logs");
            a.setContext((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory());
            a.start();
            root().addAppender(a);
            return a;
        }

        void detach() {
            root().detachAppender(this);
            stop();
        }

        private static Logger root() {
            return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        }

        @Override
        protected void append(ILoggingEvent e) {
            if (e.getLevel().isGreaterOrEqual(Level.ERROR) || (e.getLevel() == Level.WARN && e.getThrowableProxy() != null)) {
                add(e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : " (" + e.getThrowableProxy().getClassName() + ": "
                        + e.getThrowableProxy().getMessage() + ")"));
            }
        }

        void add(String line) {
            bad.add(line);
        }

        void assertNone() {
            assertThat(bad).as("errors and exceptions in the relay's log").isEmpty();
        }
    }
}
