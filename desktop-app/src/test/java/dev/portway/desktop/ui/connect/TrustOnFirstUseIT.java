package dev.portway.desktop.ui.connect;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.profiles.Profile;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.tls.TlsSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Trust on first use against a real self-signed relay: the card shows the refused certificate's fingerprint, and
 * "Trust this relay" pins it in the profile and connects.
 */
class TrustOnFirstUseIT {
    @TempDir
    Path dir;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final TunnelService tunnels = new TunnelService(new EmbeddedRelayHost(0), Runnable::run, ticker,
            Duration.ofHours(1), Runnable::run, Clock.systemUTC(), Function.identity());
    private Relay relay;

    @AfterEach
    void stop() {
        tunnels.close();
        ticker.shutdownNow();
        if (relay != null) {
            relay.shutdown(Duration.ofMillis(200));
        }
    }

    @Test
    void untrustedRelayShowsItsFingerprintAndTrustingItPinsAndConnects() throws Exception {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token("secret").dataDir(dir)
                .tls(new TlsSettings(true, null, null, -1)).build());
        AtomicReference<Profile> current = new AtomicReference<>(new Profile("p1", "Self-hosted", Profile.Kind.HTTP,
                "localhost", 9, Profile.RelayMode.REMOTE, relay.connectUrl(), "secret", "tofu", Map.of(), false));
        List<Profile> saved = new CopyOnWriteArrayList<>();
        ConnectionViewModel vm = new ConnectionViewModel(current::get, tunnels, s -> { }, s -> { }, Clock.systemUTC(), p -> {
            saved.add(p);
            current.set(p);
            tunnels.connect(p);
        });
        tunnels.addListener(new TunnelService.Listener() {
            @Override
            public synchronized void onStatus(String profileId, EngineStatus status) {
                vm.onStatus(status);
            }

            @Override
            public synchronized void onBound(String profileId, BoundTunnel tunnel) {
                vm.onBound(tunnel);
            }
        });

        vm.toggle();
        await().atMost(Duration.ofSeconds(20)).until(() -> vm.stateProperty().get() == EngineState.FAILED);
        assertThat(vm.untrustedFingerprintProperty().get()).isEqualTo(relay.tlsFingerprint());
        assertThat(vm.statusTextProperty().get()).contains("not trusted", relay.tlsFingerprint());

        vm.trustRelay();
        assertThat(saved).singleElement().extracting(Profile::relayFingerprint).isEqualTo(relay.tlsFingerprint());
        await().atMost(Duration.ofSeconds(20)).until(() -> vm.stateProperty().get() == EngineState.CONNECTED
                && !vm.publicUrlProperty().get().isEmpty());
        assertThat(vm.publicUrlProperty().get()).startsWith("https://tofu.localhost:");
        assertThat(vm.untrustedFingerprintProperty().get()).isEmpty();
    }
}
