package dev.portway.desktop.ui.tray;

import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.connect.ConnectionViewModel;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;
import dev.portway.desktop.ui.connect.TunnelService;
import dev.portway.desktop.ui.live.LiveViewModel;
import dev.portway.desktop.ui.profiles.ProfileItemViewModel;
import javafx.scene.control.MenuItem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The tray menu (no tray needed): Connect or Disconnect per profile as its state says, then Share a folder…, Open and Quit. */
class TrayMenuTest {
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final TunnelService tunnels = new TunnelService(new EmbeddedRelayHost(0), Runnable::run, ticker,
            Duration.ofHours(1), Runnable::run, Clock.systemUTC(), Function.identity());

    @AfterEach
    void stop() {
        ticker.shutdownNow();
        tunnels.close();
    }

    private ProfileItemViewModel item(String name) {
        Profile p = new Profile(java.util.UUID.randomUUID().toString(), name, Profile.Kind.HTTP, "localhost", 3000,
                Profile.RelayMode.EMBEDDED, null, null, null, java.util.Map.of(), false);
        return new ProfileItemViewModel(p, it -> new ConnectionViewModel(it::profile, tunnels, s -> { }, s -> { }, Clock.systemUTC()),
                new LiveViewModel(Clock.systemUTC()), it -> null);
    }

    @Test
    void eachProfileGetsConnectOrDisconnectThenOpenAndQuit() {
        ProfileItemViewModel web = item("Web");
        ProfileItemViewModel hooks = item("Hooks");
        hooks.connection().onStatus(new EngineStatus(EngineState.CONNECTED, "Connected.", null, 0, 10, null));
        List<String> done = new ArrayList<>();

        List<MenuItem> items = TrayPresence.items(List.of(web, hooks), () -> done.add("open"), () -> done.add("share"),
                () -> done.add("quit"));
        assertThat(items).extracting(MenuItem::getText)
                .containsExactly("Connect “Web”", "Disconnect “Hooks”", "Share a folder…", "Open Portway", "Quit Portway");
        items.get(2).fire();
        items.get(3).fire();
        items.get(4).fire();
        assertThat(done).containsExactly("share", "open", "quit");
    }

    @Test
    void withoutADisplayThereIsNoTrayAndClosingQuitsAsBefore() {
        // The test JVM is headless (as a desktop without a tray): install() gives null, DesktopApp keeps quit-on-close.
        assertThat(TrayPresence.supported()).isFalse();
    }
}
