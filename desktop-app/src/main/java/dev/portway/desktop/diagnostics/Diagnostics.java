package dev.portway.desktop.diagnostics;

import dev.portway.desktop.diagnostics.StepResult.Outcome;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ProtocolException;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Checks, step by step, what a tunnel needs: the relay's address resolves, a TCP connection, the TLS handshake
 * (wss only), the WebSocket upgrade, a real protocol hello with the profile's token, round trips, and the local
 * service. Every step has its own time limit and ends PASS, FAIL or SKIPPED with what was found and a hint.
 *
 * <p>A step runs only when the step it {@linkplain Check#needs() needs} passed (or did not apply, like TLS on
 * {@code ws://}); otherwise it is SKIPPED naming the failed step. {@link #run} blocks the calling thread: each step
 * runs on a virtual thread of its own and is interrupted when its time is up. Thread-safe; one instance serves many
 * runs. The hello carries no resume key and no client key, so a run never takes over a connected tunnel's session.
 */
public final class Diagnostics {
    static final int PINGS = 5;
    private static final int MAX_QUEUED = 64;

    private final OkHttpClient http;
    private final Duration stepTimeout;
    private final String clientName;

    /**
     * @param base        the OkHttp client to derive from (shares its pools)
     * @param stepTimeout the time limit of each step
     * @param clientName  sent in the hello, e.g. {@code portway-diagnostics/0.1.0}
     */
    public Diagnostics(OkHttpClient base, Duration stepTimeout, String clientName) {
        this.stepTimeout = stepTimeout;
        this.clientName = clientName;
        this.http = base.newBuilder().connectTimeout(stepTimeout).readTimeout(stepTimeout).writeTimeout(stepTimeout)
                .followRedirects(false).followSslRedirects(false).retryOnConnectionFailure(false).build();
    }

    /** Runs every step in order, handing each result to {@code onStep} (on this thread) as it finishes. */
    public List<StepResult> run(DiagnosticTarget target, Consumer<StepResult> onStep) {
        List<StepResult> all = new ArrayList<>();
        Set<Check> blocked = EnumSet.noneOf(Check.class);
        try (Run run = new Run(target)) {
            for (Check c : Check.values()) {
                StepResult r;
                if (c.needs() != null && blocked.contains(c.needs())) {
                    Check cause = c.needs();
                    while (cause.needs() != null && blocked.contains(cause.needs())) {
                        cause = cause.needs();
                    }
                    r = new StepResult(c, Outcome.SKIPPED, Duration.ZERO, "skipped: “" + cause.title() + "” failed", "");
                } else {
                    r = step(c, run);
                }
                if (r.outcome() == Outcome.FAIL || c.needs() != null && blocked.contains(c.needs())) {
                    blocked.add(c);
                }
                all.add(r);
                onStep.accept(r);
            }
        }
        return all;
    }

    private StepResult step(Check c, Run run) {
        long t0 = System.nanoTime();
        FutureTask<String> task = new FutureTask<>(() -> run.check(c));
        Thread.ofVirtual().name("portway-diagnostics-" + c.name().toLowerCase(Locale.ROOT)).start(task);
        try {
            String detail = task.get(stepTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return new StepResult(c, Outcome.PASS, since(t0), detail, "");
        } catch (TimeoutException e) {
            task.cancel(true);
            return new StepResult(c, Outcome.FAIL, since(t0), "no answer within " + (stepTimeout.toMillis() % 1000 == 0
                    ? stepTimeout.toSeconds() + " s" : stepTimeout.toMillis() + " ms"),
                    timeoutHint(c, run.target));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return switch (cause) {
                case NotApplicable n -> new StepResult(c, Outcome.SKIPPED, since(t0), n.getMessage(), "");
                case Failed f -> new StepResult(c, Outcome.FAIL, since(t0), f.getMessage(), f.hint);
                default -> new StepResult(c, Outcome.FAIL, since(t0), String.valueOf(cause.getMessage() != null
                        ? cause.getMessage() : cause), "An unexpected error; the report with this line helps whoever looks into it.");
            };
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            return new StepResult(c, Outcome.FAIL, since(t0), "interrupted", "The diagnostics run was stopped.");
        }
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private static String timeoutHint(Check c, DiagnosticTarget t) {
        return switch (c) {
            case DNS -> "Name resolution hangs: check this computer's network and DNS settings.";
            case TCP, TLS -> "Nothing answered: a firewall may drop the connection, or " + t.relayHost() + " is down.";
            case WEBSOCKET, AUTH, RTT -> "The relay accepted the connection but did not answer in time: it may be overloaded,"
                    + " or something between here and the relay holds WebSockets back.";
            case LOCAL_TCP -> t.localHost() + " does not answer: check the host in the profile.";
            case LOCAL_ANSWERS -> "Your app accepted the connection but sent no HTTP answer in time: is it stuck, or not an"
                    + " HTTP service? For other services use a TCP profile.";
        };
    }

    /** A step that failed, with what was found and what to do. */
    static final class Failed extends Exception {
        final String hint;

        Failed(String detail, String hint) {
            super(detail, null, false, false);
            this.hint = hint;
        }
    }

    /** A step that does not apply to this target (TLS on ws://, HTTP on a TCP profile). */
    static final class NotApplicable extends Exception {
        NotApplicable(String reason) {
            super(reason, null, false, false);
        }
    }

    /** One run's state, handed from step to step; closes what is left open. */
    private final class Run implements AutoCloseable {
        final DiagnosticTarget target;
        volatile InetAddress[] addresses;
        volatile Probe probe;

        Run(DiagnosticTarget target) {
            this.target = target;
        }

        String check(Check c) throws Exception {
            return switch (c) {
                case DNS -> resolve();
                case TCP -> connect();
                case TLS -> handshake();
                case WEBSOCKET -> upgrade();
                case AUTH -> hello();
                case RTT -> roundTrips();
                case LOCAL_TCP -> localConnect();
                case LOCAL_ANSWERS -> localGet();
            };
        }

        private String resolve() throws Failed {
            String host = target.relayHost();
            try {
                addresses = InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                throw new Failed(host + " does not resolve", target.embedded()
                        ? "This computer cannot resolve its own loopback name: check /etc/hosts."
                        : "Check the relay address in the profile for typos, and that this computer is online.");
            }
            String list = Arrays.stream(addresses).limit(3).map(InetAddress::getHostAddress).collect(Collectors.joining(", "));
            return host + " → " + list + (addresses.length > 3 ? " (+" + (addresses.length - 3) + ")" : "");
        }

        private String connect() throws Failed {
            try (Socket s = openTcp()) {
                return s.getInetAddress().getHostAddress() + ":" + s.getPort();
            } catch (IOException e) {
                throw tcpFailure(e);
            }
        }

        private Socket openTcp() throws IOException {
            IOException last = null;
            for (InetAddress a : addresses) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress(a, target.relayPort()), (int) stepTimeout.toMillis());
                    return s;
                } catch (IOException e) {
                    s.close();
                    last = e;
                }
            }
            throw last != null ? last : new ConnectException("no address");
        }

        private Failed tcpFailure(IOException e) {
            String where = target.relayHost() + ":" + target.relayPort();
            if (e instanceof SocketTimeoutException) {
                return new Failed(where + " did not answer", "A firewall may drop the connection, or the relay host is down.");
            }
            return new Failed(where + " refused the connection", target.embedded()
                    ? "The embedded relay is not listening: restart Portway."
                    : "Is the relay running on port " + target.relayPort() + "? Check the port in the relay address,"
                    + " and that no firewall is in the way.");
        }

        private String handshake() throws Exception {
            if (!target.secure()) {
                throw new NotApplicable("not used: the relay address is ws://, not wss://");
            }
            Socket raw;
            try {
                raw = openTcp();
            } catch (IOException e) {
                throw tcpFailure(e);
            }
            SSLSocketFactory factory = (SSLSocketFactory) SSLSocketFactory.getDefault();
            try (SSLSocket tls = (SSLSocket) factory.createSocket(raw, target.relayHost(), target.relayPort(), true)) {
                SSLParameters p = tls.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS"); // check the name, as the WebSocket client will
                tls.setSSLParameters(p);
                tls.setSoTimeout((int) stepTimeout.toMillis());
                tls.startHandshake();
                SSLSession session = tls.getSession();
                Certificate[] chain = session.getPeerCertificates();
                String found = session.getProtocol();
                if (chain.length > 0 && chain[0] instanceof X509Certificate x) {
                    LocalDate until = x.getNotAfter().toInstant().atZone(ZoneOffset.UTC).toLocalDate();
                    found += ", " + x.getSubjectX500Principal().getName() + ", valid until " + until;
                    if (x.getNotAfter().toInstant().isBefore(Instant.now().plus(Duration.ofDays(14)))) {
                        found += " (expires soon)";
                    }
                }
                return found;
            } catch (SSLException e) {
                throw new Failed("handshake failed: " + e.getMessage(), "The relay's certificate is not trusted here (self-signed,"
                        + " expired, or made for another name), or it does not speak TLS on this port. Check the address;"
                        + " ask whoever runs the relay about its certificate.");
            }
        }

        private String upgrade() throws Exception {
            Probe p = new Probe();
            probe = p;
            p.socket = http.newWebSocket(new Request.Builder().url(target.connectUri().toString()).build(), p);
            Response r;
            try {
                r = p.opened.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UpgradeRefused u) {
                    throw new Failed("HTTP " + u.status + " instead of a WebSocket at " + target.connectUri().getPath(),
                            "Something answers at this address, but not a Portway relay (or its path is wrong): check the"
                                    + " relay address. A proxy in between may also block WebSockets.");
                }
                throw new Failed("upgrade failed: " + e.getCause().getMessage(), "Check the relay address; a proxy in"
                        + " between may block WebSockets.");
            }
            return "HTTP " + r.code() + " at " + target.connectUri().getPath();
        }

        private String hello() throws Exception {
            Probe p = probe;
            p.send(Frame.control(new ControlMessage.Hello(Protocol.SUPPORTED_VERSIONS, target.token(), clientName, null,
                    Protocol.DEFAULT_STREAM_WINDOW, Protocol.DEFAULT_SESSION_WINDOW)));
            while (true) {
                ControlMessage m = p.next();
                if (m instanceof ControlMessage.Welcome w) {
                    return "protocol " + w.version() + ", " + (w.relay() == null ? "relay" : w.relay()) + ", session " + w.session();
                }
                if (m instanceof ControlMessage.Refused r) {
                    throw new Failed("refused: " + r.message(), refusedHint(r.errorCode()));
                }
            }
        }

        private String refusedHint(ErrorCode code) {
            if (code == ErrorCode.BAD_TOKEN) {
                return target.embedded() ? "The embedded relay did not take its own token: restart Portway."
                        : "The relay does not accept this token: edit the profile and enter the token its operator gave you.";
            }
            if (code == ErrorCode.UNSUPPORTED_VERSION) {
                return "The relay and this app speak different protocol versions: update whichever is older.";
            }
            if (code == ErrorCode.SHUTTING_DOWN) {
                return "The relay is restarting: try again in a minute.";
            }
            return "The relay refused the handshake; its message above says why.";
        }

        private String roundTrips() throws Exception {
            Probe p = probe;
            long min = Long.MAX_VALUE;
            long max = 0;
            long sum = 0;
            for (int seq = 1; seq <= PINGS; seq++) {
                long t0 = System.nanoTime();
                p.send(Frame.control(new ControlMessage.Ping(seq, System.currentTimeMillis())));
                while (!(p.next() instanceof ControlMessage.Pong pong && pong.seq() == seq)) {
                    // the relay's own pings, notices: not ours
                }
                long rtt = System.nanoTime() - t0;
                min = Math.min(min, rtt);
                max = Math.max(max, rtt);
                sum += rtt;
            }
            return String.format(Locale.ROOT, "avg %.1f ms (min %.1f, max %.1f) over %d pings",
                    sum / (double) PINGS / 1e6, min / 1e6, max / 1e6, PINGS);
        }

        private String localConnect() throws Failed {
            if (DiagnosticTarget.FOLDER.equals(target.kind())) {
                try {
                    dev.portway.desktop.engine.share.FolderShare.of(java.util.Map.of(
                            dev.portway.desktop.engine.share.FolderShare.OPTION_FOLDER, target.localHost()));
                    return "the folder " + target.localHost() + " can be read";
                } catch (IllegalArgumentException e) {
                    throw new Failed(e.getMessage(), "Put the folder back, or edit the share and choose another folder.");
                }
            }
            String where = target.localHost() + ":" + target.localPort();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(target.localHost(), target.localPort()), (int) stepTimeout.toMillis());
                return where + " accepts connections";
            } catch (UnknownHostException e) {
                throw new Failed(target.localHost() + " does not resolve", "Check the local host in the profile; usually it is localhost.");
            } catch (SocketTimeoutException e) {
                throw new Failed(where + " did not answer", "Check the local host in the profile: nothing answers there.");
            } catch (IOException e) {
                throw new Failed("port " + target.localPort() + " on " + target.localHost() + " refused the connection",
                        "Is your app running? Start it, or correct the local port in the profile.");
            }
        }

        private String localGet() throws Exception {
            if (DiagnosticTarget.FOLDER.equals(target.kind())) {
                throw new NotApplicable("not asked: Portway serves the folder itself");
            }
            if (!"http".equals(target.kind())) {
                throw new NotApplicable("not asked: a TCP tunnel forwards bytes, whatever the service speaks");
            }
            HttpUrl url = new HttpUrl.Builder().scheme("http").host(target.localHost()).port(target.localPort()).build();
            try (Response r = http.newCall(new Request.Builder().url(url).header("User-Agent", clientName).build()).execute()) {
                String text = r.message().isEmpty() ? "" : " " + r.message();
                return "HTTP " + r.code() + text + " for GET /";
            } catch (IOException e) {
                throw new Failed("no HTTP answer: " + e.getMessage(), "Something listens on port " + target.localPort()
                        + " but does not answer HTTP. Is it the right port? For other services use a TCP profile.");
            }
        }

        @Override
        public void close() {
            Probe p = probe;
            if (p != null) {
                p.close();
            }
        }
    }

    /** The WebSocket answer of a relay that would not upgrade. */
    private static final class UpgradeRefused extends Exception {
        final int status;

        UpgradeRefused(int status) {
            super("HTTP " + status, null, false, false);
            this.status = status;
        }
    }

    /** The run's WebSocket: the upgrade's outcome, and the control messages as they arrive (bounded). */
    private final class Probe extends WebSocketListener {
        final CompletableFuture<Response> opened = new CompletableFuture<>();
        private final BlockingQueue<Object> inbox = new ArrayBlockingQueue<>(MAX_QUEUED);
        private volatile WebSocket socket;

        @Override
        public void onOpen(WebSocket ws, Response response) {
            opened.complete(response);
        }

        @Override
        public void onMessage(WebSocket ws, ByteString bytes) {
            try {
                Frame f = FrameCodec.decode(bytes.asByteBuffer());
                if (f.type() == FrameType.CONTROL) {
                    inbox.offer(Json.read(f.payload(), ControlMessage.class)); // full: a chatty relay; we only need a few
                }
            } catch (ProtocolException e) {
                inbox.offer(e);
            }
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            inbox.offer(new Failed("the relay closed the connection (" + code + (reason.isEmpty() ? "" : ": " + reason) + ")",
                    "The relay ended the session without an answer; its log may say why."));
            ws.close(1000, null);
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
            if (response != null) {
                opened.completeExceptionally(new UpgradeRefused(response.code()));
                response.close();
            } else {
                opened.completeExceptionally(t);
            }
            inbox.offer(new Failed("the connection broke: " + t.getMessage(), "The connection to the relay dropped; try again."));
        }

        void send(Frame f) throws Failed {
            WebSocket ws = socket;
            if (!opened.isDone() || !ws.send(ByteString.of(FrameCodec.encode(f)))) {
                throw new Failed("could not send to the relay: the connection is closed", "Try again.");
            }
        }

        /** The next control message; waits (interruptibly: the step's time limit ends it). */
        ControlMessage next() throws Exception {
            Object o = inbox.take();
            return switch (o) {
                case ControlMessage m -> m;
                case ProtocolException e -> throw new Failed("the relay sent something this app cannot read: " + e.getMessage(),
                        "The relay may speak another protocol version: update Portway or the relay.");
                case Failed f -> throw f;
                default -> throw new IllegalStateException(String.valueOf(o));
            };
        }

        void close() {
            if (opened.isDone() && !opened.isCompletedExceptionally()) {
                socket.close(1000, "diagnostics done");
            } else {
                socket.cancel(); // still upgrading (a step timed out): drop it
            }
        }
    }
}
