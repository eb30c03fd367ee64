package dev.portway.desktop.ui.connect;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.profiles.Profile;
import dev.portway.shared.protocol.ErrorCategory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionViewModelTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final TunnelService tunnels = new TunnelService(new EmbeddedRelayHost(0), Runnable::run, ticker,
            Duration.ofHours(1), Runnable::run, Clock.fixed(T0, ZoneOffset.UTC), Function.identity());
    private final List<String> clipboard = new ArrayList<>();
    private final List<String> opened = new ArrayList<>();
    private final Profile profile = Profile.firstRun();
    private final ConnectionViewModel vm = new ConnectionViewModel(() -> profile, tunnels, clipboard::add, opened::add,
            Clock.fixed(T0, ZoneOffset.UTC));

    @AfterEach
    void stop() {
        ticker.shutdownNow();
        tunnels.close();
    }

    private static EngineStatus status(EngineState s, String message, int attempt, int max, Duration retryIn) {
        return new EngineStatus(s, message, s == EngineState.FAILED ? ErrorCategory.AUTH : null, attempt, max, retryIn);
    }

    @Test
    void everyStateReadsInWords() {
        assertThat(vm.statusTextProperty().get()).isEqualTo("Disconnected");
        assertThat(vm.buttonTextBinding().get()).isEqualTo("Connect");

        vm.onStatus(status(EngineState.CONNECTING, "Connecting to ws://127.0.0.1:8080…", 1, 10, null));
        assertThat(vm.statusTextProperty().get()).isEqualTo("Connecting…");
        assertThat(vm.detailTextProperty().get()).isEqualTo("Connecting to ws://127.0.0.1:8080…");
        assertThat(vm.buttonTextBinding().get()).isEqualTo("Cancel");

        vm.onStatus(status(EngineState.CONNECTED, "Connected to ws://127.0.0.1:8080.", 0, 10, null));
        assertThat(vm.statusTextProperty().get()).isEqualTo("Connected");
        assertThat(vm.buttonTextBinding().get()).isEqualTo("Disconnect");

        vm.onStatus(new EngineStatus(EngineState.CONNECTED, "Connected to relay-a, relay-b.", null, 0, 10, null,
                List.of("relay-a", "relay-b")));
        assertThat(vm.statusTextProperty().get()).isEqualTo("Connected to relay-a, relay-b");

        vm.onStatus(status(EngineState.RECONNECTING, "Cannot reach the relay. Retrying in 4.0 s…", 2, 10, Duration.ofSeconds(4)));
        assertThat(vm.statusTextProperty().get()).isEqualTo("Reconnecting in 4.0 s (attempt 2 of 10)");
        assertThat(vm.detailTextProperty().get()).isEqualTo("Cannot reach the relay. Retrying in 4.0 s…");

        vm.onStatus(status(EngineState.FAILED, "The relay refused the token.", 0, 10, null));
        assertThat(vm.statusTextProperty().get()).isEqualTo("Failed: The relay refused the token.");
        assertThat(vm.buttonTextBinding().get()).isEqualTo("Connect");

        vm.onStatus(status(EngineState.DISCONNECTED, "Disconnected.", 0, 0, null));
        assertThat(vm.statusTextProperty().get()).isEqualTo("Disconnected");
    }

    @Test
    void reconnectCountdownRunsDownWithTheTicks() {
        vm.onStatus(status(EngineState.RECONNECTING, "Lost the relay.", 3, -1, Duration.ofSeconds(16)));
        assertThat(vm.statusTextProperty().get()).isEqualTo("Reconnecting in 16 s (attempt 3)");
        vm.refresh(T0.plusMillis(12_500));
        assertThat(vm.statusTextProperty().get()).isEqualTo("Reconnecting in 3.5 s (attempt 3)");
        vm.refresh(T0.plusSeconds(20));
        assertThat(vm.statusTextProperty().get()).isEqualTo("Reconnecting now (attempt 3)");
    }

    @Test
    void boundUrlCanBeCopiedAndOpenedAndGoesAwayWhenTheConnectionDoes() {
        vm.onStatus(status(EngineState.CONNECTED, "Connected.", 0, 10, null));
        vm.onBound(new BoundTunnel("my-app", "http", "http://my-app.localhost:8080/", null, "localhost:3000", null));
        assertThat(vm.hasUrlBinding().get()).isTrue();
        vm.copyUrl();
        vm.openUrl();
        assertThat(clipboard).containsExactly("http://my-app.localhost:8080/");
        assertThat(opened).containsExactly("http://my-app.localhost:8080/");
        assertThat(vm.feedbackProperty().get()).isEqualTo("Copied to the clipboard.");

        vm.onStatus(status(EngineState.RECONNECTING, "Lost the relay.", 1, 10, Duration.ZERO));
        assertThat(vm.publicUrlProperty().get()).isEmpty();
        assertThat(vm.feedbackProperty().get()).isEmpty();
    }

    @Test
    void takenNameIsShownAsANotice() {
        vm.onStatus(status(EngineState.CONNECTED, "Connected.", 0, 10, null));
        vm.onBound(new BoundTunnel("my-app-2", "http", "http://my-app-2.localhost:8080/", null, "localhost:3000",
                "The name my-app is taken; you got my-app-2."));
        assertThat(vm.noticeProperty().get()).isEqualTo("The name my-app is taken; you got my-app-2.");
    }

    @Test
    void privateTunnelShowsTheCommandForATeammateUntilDisconnected() {
        vm.onStatus(status(EngineState.CONNECTED, "Connected.", 0, 10, null));
        vm.onBound(new BoundTunnel("laptop", "tcp", "ssh://relay.example.com:2222/laptop", null, "localhost:22", null));
        assertThat(vm.teammateCommandProperty().get()).isEqualTo("A teammate it is shared with connects with: "
                + "ssh -J TEAMMATE@relay.example.com:2222 " + System.getProperty("user.name") + "@laptop");
        vm.onStatus(status(EngineState.RECONNECTING, "Lost the relay.", 1, 10, Duration.ZERO));
        assertThat(vm.teammateCommandProperty().get()).isEmpty();
    }

    @Test
    void publicTunnelShowsNoTeammateCommand() {
        vm.onStatus(status(EngineState.CONNECTED, "Connected.", 0, 10, null));
        vm.onBound(new BoundTunnel("my-app", "http", "http://my-app.localhost:8080/", null, "localhost:3000", null));
        assertThat(vm.teammateCommandProperty().get()).isEmpty();
    }

    @Test
    void aTakenRequestedNameIsSaidWhenTheRelayGaveAnother() {
        vm.onStatus(status(EngineState.CONNECTED, "Connected.", 0, 10, null));
        vm.onBound(new BoundTunnel("brave-fox-1075", "http", "http://brave-fox-1075.localhost:8080/", null, "localhost:3000", null));
        assertThat(vm.noticeProperty().get()).isEqualTo("The name “" + profile.requestedName() + "” is taken on this relay, so this"
                + " tunnel got “brave-fox-1075”. Edit the profile to ask for another name.");
    }

    @Test
    void aTcpTunnelIsNotOfferedToTheBrowserAndShowsTheCommandInstead() {
        vm.onStatus(status(EngineState.CONNECTED, "Connected.", 0, 10, null));
        vm.onBound(new BoundTunnel("db", "tcp", "tcp://relay.example.com:40123", 40123, "localhost:5432", null));
        assertThat(vm.canOpenBinding().get()).isFalse();
        vm.openUrl();
        assertThat(opened).isEmpty();
        assertThat(vm.teammateCommandProperty().get()).isEqualTo("Connect to it with: nc relay.example.com 40123");

        vm.onBound(new BoundTunnel("box", "tcp", "tcp://relay.example.com:40124", 40124, "localhost:22", null));
        assertThat(vm.teammateCommandProperty().get()).isEqualTo("Connect to it with: ssh -p 40124 "
                + System.getProperty("user.name") + "@relay.example.com");
    }

    @Test
    void openInBrowserWithoutABrowserSaysSoAndCopiesTheUrl() {
        ConnectionViewModel noBrowser = new ConnectionViewModel(() -> profile, tunnels, clipboard::add, url -> {
            throw new IllegalStateException("this system has no xdg-open and no $BROWSER");
        }, Clock.fixed(T0, ZoneOffset.UTC));
        noBrowser.onStatus(status(EngineState.CONNECTED, "Connected.", 0, 10, null));
        noBrowser.onBound(new BoundTunnel("my-app", "http", "http://my-app.localhost:8080/", null, "localhost:3000", null));
        noBrowser.openUrl();
        assertThat(noBrowser.feedbackProperty().get()).isEqualTo("No web browser could be opened (this system has no xdg-open"
                + " and no $BROWSER). The URL is on the clipboard: paste it into a browser.");
        assertThat(clipboard).containsExactly("http://my-app.localhost:8080/");
    }

    @Test
    void copyingTwiceConfirmsTwice() {
        vm.onStatus(status(EngineState.CONNECTED, "Connected.", 0, 10, null));
        vm.onBound(new BoundTunnel("my-app", "http", "http://my-app.localhost:8080/", null, "localhost:3000", null));
        List<String> shown = new ArrayList<>();
        vm.feedbackProperty().addListener((o, was, now) -> {
            if (!now.isEmpty()) {
                shown.add(now);
            }
        });
        vm.copyUrl();
        vm.copyUrl();
        assertThat(shown).containsExactly("Copied to the clipboard.", "Copied to the clipboard."); // a toast each time
    }
}
