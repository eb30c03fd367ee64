package dev.portway.desktop.ui.inspector;

import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EditReplayViewModelTest {
    static Exchange exchange(String method, String path, List<Header> headers, CapturedBody body) {
        return new Exchange(new RequestEvent("r1", "my-app", method, path, 200, Duration.ofMillis(5), body.size(), 2, null, null,
                Instant.parse("2026-01-01T12:00:00Z"), new CapturedExchange(headers, body, "OK", List.of(), CapturedBody.EMPTY)), false);
    }

    private static CapturedBody text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new CapturedBody(b, b.length);
    }

    @Test
    void isFilledFromTheCaptureWithItsHostButWithoutPortwayAndHopByHopHeaders() {
        EditReplayViewModel vm = new EditReplayViewModel(exchange("POST", "/hooks", List.of(new Header("Host", "a.localhost"),
                new Header("Content-Type", "application/json"), new Header("Portway-Request-Id", "x"),
                new Header("X-Forwarded-For", "1.2.3.4")), text("{\"a\":1}")));
        assertThat(vm.methodProperty().get()).isEqualTo("POST");
        assertThat(vm.pathProperty().get()).isEqualTo("/hooks");
        assertThat(vm.headersProperty().get()).isEqualTo("Host: a.localhost\nContent-Type: application/json\nX-Forwarded-For: 1.2.3.4\n");
        assertThat(vm.bodyProperty().get()).isEqualTo("{\n  \"a\" : 1\n}");
        assertThat(vm.validBinding().get()).isTrue();
    }

    @Test
    void jsonBodyIsShownPrettyButSentAsCapturedUnlessEdited() {
        String raw = "{\"id\":\"evt_1\",\"data\":{\"amount\":42,\"tags\":[\"a\",\"b\"]}}";
        EditReplayViewModel vm = new EditReplayViewModel(exchange("POST", "/hooks", List.of(
                new Header("Content-Type", "application/json; charset=utf-8")), text(raw)));
        assertThat(vm.bodyProperty().get()).contains("\n").contains("  \"amount\" : 42");
        assertThat(vm.bodyNoteProperty().get()).contains("pretty-printed");
        // A signed webhook stays verifiable: the bytes sent are the captured ones while the body is not edited.
        assertThat(new String(vm.request().body(), StandardCharsets.UTF_8)).isEqualTo(raw);
        vm.bodyProperty().set("{\"id\":\"evt_2\"}");
        assertThat(new String(vm.request().body(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"evt_2\"}");
    }

    @Test
    void eachFieldIsCheckedWithAMessageAndSendIsOffUntilFixed() {
        EditReplayViewModel vm = new EditReplayViewModel(exchange("POST", "/hooks", List.of(), text("x")));
        vm.methodProperty().set("PO ST");
        assertThat(vm.methodProblemBinding().get()).startsWith("A method is one word");
        assertThat(vm.validBinding().get()).isFalse();
        vm.methodProperty().set("PUT");
        vm.pathProperty().set("hooks");
        assertThat(vm.pathProblemBinding().get()).isEqualTo("The path must start with /, e.g. /hooks/stripe?retry=1.");
        vm.pathProperty().set("/a b");
        assertThat(vm.pathProblemBinding().get()).contains("%20");
        vm.pathProperty().set("/a%20b");
        vm.headersProperty().set("X-Ok: 1\nnot a header\n");
        assertThat(vm.headersProblemBinding().get()).isEqualTo("Line 2 is not a header: write it as Name: value.");
        vm.headersProperty().set("X-Ok: 1\nBad Name: 2");
        assertThat(vm.headersProblemBinding().get()).startsWith("Line 2");
        vm.headersProperty().set("X-Ok: 1\n\nX-Colon: a:b\n");
        assertThat(vm.headersProblemBinding().get()).isEmpty();
        vm.methodProperty().set("GET");
        assertThat(vm.bodyProblemBinding().get()).startsWith("GET requests cannot carry a body");
        vm.bodyProperty().set("");
        assertThat(vm.validBinding().get()).isTrue();

        ReplayRequest r = vm.request();
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.path()).isEqualTo("/a%20b");
        assertThat(r.headers()).containsExactly(new Header("X-Ok", "1"), new Header("X-Colon", "a:b"));
        assertThat(r.body()).isEmpty();
    }

    @Test
    void binaryOrTruncatedBodiesSaySoInTheNote() {
        EditReplayViewModel binary = new EditReplayViewModel(exchange("POST", "/", List.of(), new CapturedBody(new byte[]{0, 1, 2}, 3)));
        assertThat(binary.bodyProperty().get()).isEmpty();
        assertThat(binary.bodyNoteProperty().get()).startsWith("The captured body is binary");
        EditReplayViewModel cut = new EditReplayViewModel(exchange("POST", "/", List.of(), new CapturedBody("abc".getBytes(StandardCharsets.UTF_8), 100_000)));
        assertThat(cut.bodyProperty().get()).isEqualTo("abc");
        assertThat(cut.bodyNoteProperty().get()).isEqualTo("Only the first 3 bytes of 97.7 KiB were captured: this is what will be sent.");
    }
}
