package dev.portway.desktop.ui.inspector;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.desktop.history.HistoryStore;
import dev.portway.desktop.history.RequestHistory;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.ui.live.MetricsSampler;
import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inspector's view model without a toolkit: a real local HTTP server for replays, real H2 files for the history.
 * fx is {@code Runnable::run}, so replay results land on the replay thread; the tests poll for them.
 */
class InspectorViewModelTest {
    @TempDir
    Path dir;
    private final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> hosts = new ConcurrentLinkedQueue<>();
    private final List<String> clipboard = new ArrayList<>();
    private HttpServer local;
    private Replayer replayer;
    private ProfileStore profiles;
    private HistoryStore store;
    private Profile profile;

    @BeforeEach
    void start() throws IOException {
        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        local.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            hosts.add(ex.getRequestHeaders().getFirst("Host"));
            received.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + ex.getRequestHeaders().getFirst("X-Sig") + " " + body);
            byte[] answer = "ok".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(202, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        local.start();
        replayer = new Replayer(EngineConfig.DEFAULT_CAPTURE_LIMIT);
        profiles = ProfileStore.open(dir);
        store = HistoryStore.open(dir);
        Profile first = profiles.loadAll().getFirst();
        profile = new Profile(first.id(), first.name(), first.kind(), "127.0.0.1", local.getAddress().getPort(), first.relayMode(),
                null, null, first.requestedName(), Map.of(), false);
        profiles.save(profile);
    }

    @AfterEach
    void stop() {
        replayer.close();
        store.close();
        profiles.close();
        local.stop(0);
    }

    private InspectorViewModel vm() {
        return new InspectorViewModel(() -> profile, new RequestHistory(store, Runnable::run, Runnable::run), replayer, Runnable::run,
                clipboard::add, ZoneOffset.UTC);
    }

    static RequestEvent event(int n, String path, CapturedBody body) {
        return new RequestEvent("r" + n, "my-app", "POST", path, 200, Duration.ofMillis(n), body.size(), 2, null, null,
                Instant.parse("2026-01-01T12:00:00Z").plusSeconds(n),
                new CapturedExchange(List.of(new Header("Host", "my-app.localhost:8080"), new Header("X-Sig", "sig-" + n),
                        new Header("Portway-Request-Id", "r" + n), new Header("X-Forwarded-Proto", "http")),
                        body, "OK", List.of(new Header("Content-Type", "text/plain")),
                        new CapturedBody("ok".getBytes(StandardCharsets.UTF_8), 2)));
    }

    private static CapturedBody text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new CapturedBody(b, b.length);
    }

    private static MetricsSampler.Sample sample(RequestEvent... events) {
        return new MetricsSampler.Sample(Instant.now(), events.length, 1, 1, 1, 1, events.length, 0, List.of(events));
    }

    @Test
    void newRequestsGoOnTopAndTheSelectionStaysOnItsRequest() {
        InspectorViewModel vm = vm();
        vm.onSample(sample(event(1, "/a", text("one")), event(2, "/b", text("two"))));
        assertThat(vm.rows()).extracting(x -> x.event().path()).containsExactly("/b", "/a");
        vm.selectedProperty().set(vm.rows().get(1));
        assertThat(vm.requestLineProperty().get()).isEqualTo("POST /a");
        assertThat(vm.requestBodyProperty().get().text()).isEqualTo("one");
        assertThat(vm.responseLineProperty().get()).isEqualTo("200 OK · 1.0 ms");
        assertThat(vm.responseHeadersProperty().get()).isEqualTo("Content-Type: text/plain\n");

        vm.onSample(sample(event(3, "/c", text("three"))));
        assertThat(vm.rows()).extracting(x -> x.event().path()).containsExactly("/c", "/b", "/a");
        assertThat(vm.selectedProperty().get().event().path()).isEqualTo("/a");
        assertThat(vm.requestLineProperty().get()).isEqualTo("POST /a");
    }

    @Test
    void filterMatchesPathMethodStatusAndReplay() {
        InspectorViewModel vm = vm();
        vm.onSample(sample(event(1, "/orders", text("")), event(2, "/users", text(""))));
        vm.filterProperty().set(" ORD ");
        assertThat(vm.visibleRows()).extracting(x -> x.event().path()).containsExactly("/orders");
        vm.filterProperty().set("replay");
        assertThat(vm.visibleRows()).isEmpty();
        vm.filterProperty().set("");
        assertThat(vm.visibleRows()).hasSize(2);
    }

    @Test
    void pausedNewRequestsWaitAndJoinOnTopWhenFollowingAgain() {
        InspectorViewModel vm = vm();
        vm.onSample(sample(event(1, "/a", text(""))));
        vm.selectedProperty().set(vm.rows().getFirst());
        vm.followProperty().set(false);
        vm.onSample(sample(event(2, "/b", text("")), event(3, "/c", text(""))));
        assertThat(vm.rows()).extracting(x -> x.event().path()).containsExactly("/a");
        assertThat(vm.pendingCountProperty().get()).isEqualTo(2);
        assertThat(vm.selectedProperty().get().event().path()).isEqualTo("/a");
        vm.followProperty().set(true);
        assertThat(vm.rows()).extracting(x -> x.event().path()).containsExactly("/c", "/b", "/a");
        assertThat(vm.pendingCountProperty().get()).isZero();
    }

    @Test
    void exportWritesTheFilteredRowsOldestFirstAndSaysSo() throws Exception {
        InspectorViewModel vm = vm();
        vm.onSample(sample(event(1, "/orders/1", text("")), event(2, "/users", text("")), event(3, "/orders/2", text(""))));
        vm.filterProperty().set("orders");
        Path file = dir.resolve("requests.har");
        vm.exportHar(file).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(vm.feedbackProperty().get()).isEqualTo("Exported 2 requests to requests.har.");
        var entries = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile()).get("log").get("entries");
        assertThat(entries).extracting(e -> e.get("request").get("url").asText())
                .containsExactly("http://my-app.localhost:8080/orders/1", "http://my-app.localhost:8080/orders/2");
    }

    @Test
    void rowsAreBoundedByCountAndByCapturedBytes() {
        InspectorViewModel vm = vm();
        vm.onSample(sample(IntStream.range(0, 600).mapToObj(i -> event(i, "/n/" + i, text("x"))).toArray(RequestEvent[]::new)));
        assertThat(vm.rows()).hasSize(InspectorViewModel.MAX_ROWS);
        assertThat(vm.rows().getFirst().event().path()).isEqualTo("/n/599");

        vm.clearHistory();
        byte[] big = new byte[EngineConfig.DEFAULT_CAPTURE_LIMIT];
        RequestEvent[] heavy = IntStream.range(0, 300).mapToObj(i -> event(i, "/big/" + i, new CapturedBody(big, 1 << 20)))
                .toArray(RequestEvent[]::new);
        vm.onSample(sample(heavy));
        long bytes = vm.rows().stream().mapToLong(Exchange::capturedBytes).sum();
        assertThat(bytes).isLessThanOrEqualTo(InspectorViewModel.MAX_BODY_BYTES);
        assertThat(vm.rows()).hasSizeLessThan(300);
        assertThat(vm.rows().getFirst().event().path()).isEqualTo("/big/299");
    }

    @Test
    void replaySendsTheRequestAgainToTheLocalTargetAndAddsARowMarkedReplay() {
        InspectorViewModel vm = vm();
        vm.onSample(sample(event(1, "/hooks?x=1", text("{\"paid\":true}"))));
        vm.selectedProperty().set(vm.rows().getFirst());
        assertThat(vm.replay()).isTrue();
        // The replay's result lands on the replay thread here (fx is Runnable::run): the row first, the feedback after it.
        await().atMost(Duration.ofSeconds(10)).until(() -> vm.rows().size() == 2 && vm.feedbackProperty().get().startsWith("Replayed"));
        assertThat(received).containsExactly("POST /hooks?x=1 sig-1 {\"paid\":true}");
        Exchange replayed = vm.rows().getFirst();
        assertThat(replayed.replay()).isTrue();
        assertThat(replayed.event().status()).isEqualTo(202);
        assertThat(new String(replayed.capture().responseBody().bytes(), StandardCharsets.UTF_8)).isEqualTo("ok");
        assertThat(CapturedExchange.header(replayed.capture().requestHeaders(), "Portway-Request-Id")).isNull();
        assertThat(vm.feedbackProperty().get()).startsWith("Replayed POST /hooks?x=1: 202 Accepted in ");
        assertThat(vm.selectedProperty().get()).isSameAs(vm.rows().get(1));
    }

    @Test
    void replayKeepsTheOriginalHostUnlessTheProfileRewritesIt() {
        InspectorViewModel vm = vm();
        vm.onSample(sample(event(1, "/hooks", text("{}"))));
        vm.selectedProperty().set(vm.rows().getFirst());
        assertThat(vm.replay()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> hosts.size() == 1);
        assertThat(hosts.poll()).isEqualTo("my-app.localhost:8080");

        profile = new Profile(profile.id(), profile.name(), profile.kind(), profile.localHost(), profile.localPort(), profile.relayMode(),
                null, null, profile.requestedName(), Map.of(TunnelSpec.OPTION_HOST_HEADER, TunnelSpec.HOST_HEADER_REWRITE), false);
        vm.selectedProperty().set(vm.rows().getLast());
        assertThat(vm.replay()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> hosts.size() == 1);
        assertThat(hosts.poll()).isEqualTo("127.0.0.1:" + local.getAddress().getPort());
    }

    @Test
    void truncatedRequestIsNotReplayedAsSentButCanBeEditedAndSent() {
        InspectorViewModel vm = vm();
        vm.onSample(sample(event(1, "/upload", new CapturedBody("abc".getBytes(StandardCharsets.UTF_8), 200_000))));
        vm.selectedProperty().set(vm.rows().getFirst());
        assertThat(vm.replay()).isFalse();
        assertThat(vm.feedbackProperty().get())
                .isEqualTo("The request body was truncated at 3 bytes of 195.3 KiB, so it cannot be replayed as sent — use Edit and replay.");
        assertThat(received).isEmpty();

        EditReplayViewModel edit = vm.editReplay();
        edit.pathProperty().set("/upload?edited=1");
        edit.bodyProperty().set("a whole new body");
        vm.send(edit.request());
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        assertThat(received).containsExactly("POST /upload?edited=1 sig-1 a whole new body");
        await().atMost(Duration.ofSeconds(5)).until(() -> vm.rows().size() == 2 && vm.rows().getFirst().replay());
    }

    @Test
    void replayKeepsAsMuchOfTheAnswerAsTheCaptureSettingSaysNow() {
        List<Integer> saved = new ArrayList<>();
        CaptureLimit limit = new CaptureLimit(EngineConfig.DEFAULT_CAPTURE_LIMIT, saved::add);
        try (Replayer own = new Replayer(limit::get)) {
            InspectorViewModel vm = new InspectorViewModel(() -> profile, RequestHistory.inMemory(Runnable::run), own, Runnable::run,
                    clipboard::add, ZoneOffset.UTC, limit);
            vm.onSample(sample(event(1, "/x", text("body"))));
            vm.selectedProperty().set(vm.rows().getFirst());
            vm.captureLimit().bytesProperty().set(0);
            assertThat(saved).containsExactly(0);
            vm.replay();
            await().atMost(Duration.ofSeconds(10)).until(() -> vm.rows().size() == 2);
            CapturedExchange x = vm.rows().getFirst().capture();
            assertThat(x.responseBody().bytes()).isEmpty();
            assertThat(x.responseBody().size()).isEqualTo(2);
            assertThat(x.requestBody().truncated()).isTrue();
        }
    }

    @Test
    void requestWhoseBodyNeverReachedTheLocalAppIsNotReplayedAsSent() {
        InspectorViewModel vm = vm();
        RequestEvent e = event(1, "/hooks", CapturedBody.EMPTY);
        List<Header> headers = new ArrayList<>(e.exchange().requestHeaders());
        headers.add(new Header("Content-Length", "42"));
        RequestEvent failed = new RequestEvent("r1", "my-app", "POST", "/hooks", 0, Duration.ofMillis(1), 0, 0,
                dev.portway.shared.protocol.ErrorCode.TARGET_UNREACHABLE, "down", e.time(),
                new CapturedExchange(headers, CapturedBody.EMPTY, "", List.of(), CapturedBody.EMPTY));
        vm.onSample(sample(failed));
        vm.selectedProperty().set(vm.rows().getFirst());
        assertThat(vm.replay()).isFalse();
        assertThat(vm.feedbackProperty().get())
                .isEqualTo("Only 0 bytes of the request body's 42 bytes reached the local app, so it cannot be replayed as sent — use Edit and replay.");
        assertThat(received).isEmpty();
    }

    @Test
    void replayToATargetThatIsDownShowsTheReasonAsAFailedRow() {
        InspectorViewModel vm = vm();
        vm.onSample(sample(event(1, "/x", text(""))));
        vm.selectedProperty().set(vm.rows().getFirst());
        local.stop(0);
        vm.replay();
        await().atMost(Duration.ofSeconds(10)).until(() -> vm.rows().size() == 2 && vm.feedbackProperty().get().startsWith("Replay failed"));
        assertThat(vm.rows().getFirst().event().errorMessage()).isEqualTo("Nothing is listening on 127.0.0.1:" + profile.localPort()
                + " — is your app running?");
        assertThat(vm.feedbackProperty().get()).startsWith("Replay failed: Nothing is listening");
    }

    @Test
    void copyAsCurlForThePublicUrlAndForTheLocalTarget() {
        InspectorViewModel vm = vm();
        vm.onSample(sample(event(1, "/hooks", text("it's"))));
        vm.copyCurl();
        assertThat(clipboard).as("nothing selected: nothing copied").isEmpty();
        vm.selectedProperty().set(vm.rows().getFirst());
        vm.copyCurl();
        vm.copyCurlLocal();
        assertThat(clipboard).containsExactly(
                "curl 'http://my-app.localhost:8080/hooks' \\\n  -H 'X-Sig: sig-1' \\\n  --data-binary 'it'\\''s'",
                "curl 'http://127.0.0.1:" + profile.localPort() + "/hooks' \\\n  -H 'X-Sig: sig-1' \\\n  --data-binary 'it'\\''s'");
    }

    @Test
    void historyIsLoadedByTheNextViewModelAndClearForgetsIt() {
        InspectorViewModel first = vm();
        first.onSample(sample(event(1, "/a", text("one"))));
        first.onSample(sample(event(2, "/b", new CapturedBody(new byte[]{0, 1, 2}, 3))));

        InspectorViewModel afterRestart = vm();
        assertThat(afterRestart.rows()).extracting(x -> x.event().path()).containsExactly("/b", "/a");
        afterRestart.selectedProperty().set(afterRestart.rows().getFirst());
        assertThat(afterRestart.requestBodyProperty().get().kind()).isEqualTo(BodyText.Kind.BINARY);

        afterRestart.clearHistory();
        assertThat(afterRestart.rows()).isEmpty();
        assertThat(afterRestart.selectedProperty().get()).isNull();
        assertThat(vm().rows()).isEmpty();
        assertThat(afterRestart.feedbackProperty().get()).isEqualTo("History cleared.");
    }
}
