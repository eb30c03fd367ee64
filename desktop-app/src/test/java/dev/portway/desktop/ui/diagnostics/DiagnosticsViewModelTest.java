package dev.portway.desktop.ui.diagnostics;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.diagnostics.AppInfo;
import dev.portway.desktop.diagnostics.Check;
import dev.portway.desktop.diagnostics.Diagnostics;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Diagnostics tab's view model with a real embedded relay and a real local app; executors run in line, so
 * a run has finished when {@code run()} returns. No toolkit.
 */
class DiagnosticsViewModelTest {
    private final EmbeddedRelayHost embedded = new EmbeddedRelayHost(0);
    private final List<String> clipboard = new ArrayList<>();
    private final List<List<StepRow.State>> seen = new ArrayList<>();
    private HttpServer local;
    private Profile profile;
    private DiagnosticsViewModel vm;

    @BeforeEach
    void start() throws IOException {
        local = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        local.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        local.start();
        profile = new Profile("p1", "My app", Profile.Kind.HTTP, "127.0.0.1", local.getAddress().getPort(),
                Profile.RelayMode.EMBEDDED, null, null, "my-app", Map.of(), false);
        DiagnosticsService service = new DiagnosticsService(embedded,
                new Diagnostics(new OkHttpClient(), Duration.ofSeconds(3), "portway-test/1"), Runnable::run, Runnable::run,
                () -> new AppInfo("9.9.9", 1, "25", "26", "Linux", Path.of("/data")));
        vm = new DiagnosticsViewModel(() -> profile, service, clipboard::add, Clock.fixed(Instant.parse("2026-11-22T05:00:00Z"), ZoneOffset.UTC));
        vm.rows().addListener((javafx.collections.ListChangeListener<StepRow>) c ->
                seen.add(vm.rows().stream().map(StepRow::state).toList()));
    }

    @AfterEach
    void stop() {
        embedded.close();
        local.stop(0);
    }

    @Test
    void beforeARunEveryStepWaitsAndThereIsNoReport() {
        assertThat(vm.rows()).extracting(StepRow::state).containsOnly(StepRow.State.WAITING);
        assertThat(vm.rows()).extracting(StepRow::check).containsExactly(Check.values());
        assertThat(vm.hasReportBinding().get()).isFalse();
        vm.copyReport();
        assertThat(clipboard).isEmpty();
    }

    @Test
    void aRunAgainstTheEmbeddedRelayPassesStreamsEachStepAndCopiesAReport() {
        vm.run();

        assertThat(vm.runningProperty().get()).isFalse();
        assertThat(vm.summaryProperty().get()).isEqualTo("All checks passed.");
        assertThat(vm.rows()).extracting(StepRow::state).containsExactly(StepRow.State.PASS, StepRow.State.PASS,
                StepRow.State.SKIPPED, StepRow.State.PASS, StepRow.State.PASS, StepRow.State.PASS, StepRow.State.PASS,
                StepRow.State.PASS);
        // streamed: the second step was shown running while the first had already passed
        assertThat(seen).anySatisfy(states -> assertThat(states.subList(0, 2))
                .containsExactly(StepRow.State.PASS, StepRow.State.RUNNING));
        assertThat(vm.rows().get(0).duration()).endsWith(" ms");

        vm.copyReport();
        assertThat(clipboard).hasSize(1);
        String report = clipboard.getFirst();
        assertThat(report).contains("Portway 9.9.9").contains("Profile: “My app”, http → 127.0.0.1:")
                .contains("Relay: embedded, ws://127.0.0.1:").contains("PASS    Round trip time").endsWith("All checks passed.\n");
        assertThat(vm.feedbackProperty().get()).contains("copied");
    }

    @Test
    void aDeadLocalAppIsNamedInTheSummaryWithItsHint() throws IOException {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        profile = new Profile("p1", "My app", Profile.Kind.HTTP, "127.0.0.1", dead, Profile.RelayMode.EMBEDDED,
                null, null, null, Map.of(), false);

        vm.run();

        assertThat(vm.summaryProperty().get()).startsWith("Failed: Local target reachable.");
        StepRow local = vm.rows().get(Check.LOCAL_TCP.ordinal());
        assertThat(local.state()).isEqualTo(StepRow.State.FAIL);
        assertThat(local.hint()).contains("Is your app running?");
        assertThat(vm.rows().get(Check.AUTH.ordinal()).state()).isEqualTo(StepRow.State.PASS);
    }

    @Test
    void theReportNamesARemoteRelayButNeverItsTokenOrOptionValues() {
        profile = new Profile("p2", "Remote", Profile.Kind.TCP, "127.0.0.1", local.getAddress().getPort(), Profile.RelayMode.REMOTE,
                "ws://127.0.0.1:1", "top-secret-token", null, Map.of("basic_auth", "ann:hunter2"), false);

        vm.run();

        assertThat(vm.summaryProperty().get()).startsWith("Failed: TCP connects.");
        assertThat(vm.report()).contains("relay ws://127.0.0.1:1").contains("options basic_auth")
                .doesNotContain("top-secret-token").doesNotContain("hunter2");
    }
}
