package dev.portway.desktop.ui.connect;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.profiles.Profile;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One profile's connection as the person sees it: state, status in words, the public URL, and the
 * Connect / Disconnect, Copy and Open commands. FX thread only; no toolkit needed (tests use it plainly).
 */
public final class ConnectionViewModel {
    private final Supplier<Profile> profile;
    private final TunnelService tunnels;
    private final Consumer<String> clipboard;
    private final Consumer<String> browser;
    private final Clock clock;
    private final Consumer<Profile> trustRelay;
    private final StringProperty untrustedFingerprint = new SimpleStringProperty("");

    private final ObjectProperty<EngineState> state = new SimpleObjectProperty<>(EngineState.DISCONNECTED);
    private final StringProperty statusText = new SimpleStringProperty("Disconnected");
    private final StringProperty detailText = new SimpleStringProperty("");
    private final StringProperty publicUrl = new SimpleStringProperty("");
    private final StringProperty notice = new SimpleStringProperty("");
    private final StringProperty teammateCommand = new SimpleStringProperty("");
    private final StringProperty feedback = new SimpleStringProperty("");
    /** The bound tunnel is HTTP (a browser can open it); false for TCP. */
    private final javafx.beans.property.BooleanProperty http = new javafx.beans.property.SimpleBooleanProperty(true);
    private final StringProperty healthText = new SimpleStringProperty("");
    private final javafx.beans.property.BooleanProperty targetDown = new javafx.beans.property.SimpleBooleanProperty();
    private TargetHealth health;
    private final StringProperty relayWaiting = new SimpleStringProperty("");
    private EngineStatus last = new EngineStatus(EngineState.DISCONNECTED, "Not connected.", null, 0, 0, null);
    private Instant retryAt;

    /**
     * @param clipboard puts text on the system clipboard
     * @param browser   opens a URL in the person's browser
     */
    public ConnectionViewModel(Supplier<Profile> profile, TunnelService tunnels, Consumer<String> clipboard,
                               Consumer<String> browser, Clock clock) {
        this(profile, tunnels, clipboard, browser, clock, p -> tunnels.connect(p));
    }

    /**
     * @param trustRelay saves a profile that now pins its relay's certificate, and reconnects it (trust on first use)
     */
    public ConnectionViewModel(Supplier<Profile> profile, TunnelService tunnels, Consumer<String> clipboard,
                               Consumer<String> browser, Clock clock, Consumer<Profile> trustRelay) {
        this.trustRelay = trustRelay;
        this.profile = profile;
        this.tunnels = tunnels;
        this.clipboard = clipboard;
        this.browser = browser;
        this.clock = clock;
    }

    /** Connect when idle or failed; otherwise disconnect (also cancels connecting and reconnecting). */
    public void toggle() {
        Profile p = profile.get();
        switch (state.get()) {
            case DISCONNECTED -> tunnels.connect(p);
            case FAILED -> {
                tunnels.disconnect(p.id());
                tunnels.connect(p);
            }
            default -> tunnels.disconnect(p.id());
        }
    }

    /**
     * Trust on first use, like SSH's known_hosts: pins the certificate the relay just presented (shown to the person
     * as {@link #untrustedFingerprintProperty()}) in the profile, and reconnects.
     */
    public void trustRelay() {
        String fp = untrustedFingerprint.get();
        if (fp.isEmpty()) {
            return;
        }
        untrustedFingerprint.set("");
        tunnels.disconnect(profile.get().id());
        trustRelay.accept(profile.get().withRelayFingerprint(fp));
    }

    public void copyUrl() {
        if (!publicUrl.get().isEmpty()) {
            clipboard.accept(publicUrl.get());
            say("Copied to the clipboard.");
        }
    }

    /**
     * Opens the public URL in the browser (HTTP tunnels only). When there is no browser to open it with, copies the
     * URL and says so rather than failing silently.
     */
    public void openUrl() {
        if (publicUrl.get().isEmpty() || !http.get()) {
            return;
        }
        try {
            browser.accept(publicUrl.get());
        } catch (RuntimeException e) {
            clipboard.accept(publicUrl.get());
            say("No web browser could be opened (" + e.getMessage() + "). The URL is on the clipboard: paste it into a browser.");
        }
    }

    /** Sets the transient feedback; set even when the text is the same as last time, so a toast shows again. */
    private void say(String text) {
        feedback.set("");
        feedback.set(text);
    }

    // ---- events from the TunnelService (FX thread)

    public void onStatus(EngineStatus s) {
        last = s;
        state.set(s.state());
        retryAt = s.nextRetryIn() == null ? null : clock.instant().plus(s.nextRetryIn());
        String untrusted = s.state() == EngineState.FAILED && profile.get().relayMode() == Profile.RelayMode.REMOTE
                ? tunnels.untrustedFingerprint(profile.get().id()) : null;
        untrustedFingerprint.set(untrusted == null ? "" : untrusted);
        if (s.state() == EngineState.DISCONNECTED || s.state() == EngineState.FAILED) {
            health = null; // a new connect probes again
        }
        if (s.state() != EngineState.CONNECTED) {
            publicUrl.set("");
            teammateCommand.set("");
            notice.set("");
            feedback.set("");
        }
        refresh(clock.instant());
    }

    public void onBound(BoundTunnel t) {
        publicUrl.set(t.url());
        http.set(!"tcp".equalsIgnoreCase(t.kind()));
        String command = t.teammateCommand("TEAMMATE", System.getProperty("user.name"));
        if (command != null) {
            teammateCommand.set("A teammate it is shared with connects with: " + command);
        } else {
            String tcp = tcpCommand(t);
            teammateCommand.set(tcp == null ? "" : "Connect to it with: " + tcp);
        }
        String wanted = profile.get().requestedName();
        if (t.notice() != null) {
            notice.set(t.notice());
        } else if (wanted != null && !wanted.isBlank() && t.name() != null && !t.name().equalsIgnoreCase(wanted)
                && http.get()) {
            notice.set("The name “" + wanted + "” is taken on this relay, so this tunnel got “" + t.name()
                    + "”. Edit the profile to ask for another name.");
        } else {
            notice.set("");
        }
    }

    /** For a public TCP tunnel, the command a person types to reach it (a browser cannot); null for others. */
    static String tcpCommand(BoundTunnel t) {
        if (!"tcp".equalsIgnoreCase(t.kind()) || t.url() == null) {
            return null;
        }
        java.net.URI u;
        try {
            u = java.net.URI.create(t.url());
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (u.getHost() == null || u.getPort() < 0 || u.getPath() != null && u.getPath().length() > 1) {
            return null; // private (ssh://host/name): the teammate command covers it
        }
        boolean ssh = t.localTarget() != null && t.localTarget().endsWith(":22");
        return ssh ? "ssh -p " + u.getPort() + " " + System.getProperty("user.name") + "@" + u.getHost()
                : "nc " + u.getHost() + " " + u.getPort();
    }

    public void onRefused(String message) {
        notice.set("The relay refused this tunnel: " + message);
    }

    /** The relay keeps {@code n} requests for this profile's queued tunnel (also while disconnected). */
    public void onRelayWaiting(int n) {
        relayWaiting.set(n <= 0 ? "" : n + (n == 1 ? " webhook waits" : " webhooks wait") + " at the relay"
                + (state.get() == EngineState.CONNECTED ? " — being delivered." : " — connect to receive "
                + (n == 1 ? "it." : "them.")));
    }

    /** "2 webhooks wait at the relay — connect to receive them."; empty when none. */
    public ReadOnlyStringProperty relayWaitingProperty() {
        return relayWaiting;
    }

    /** The local target's health changed (probe or breaker); shown while connected. */
    public void onTargetHealth(TargetHealth h) {
        health = h;
        refresh(clock.instant());
    }

    /** Re-renders time-dependent text (the reconnect countdown, the breaker's pause); called on every sample tick. */
    public void refresh(Instant now) {
        Duration left = retryAt == null ? null : Duration.between(now, retryAt);
        statusText.set(StatusText.of(last, left));
        detailText.set(StatusText.detail(last));
        boolean down = health != null && health.degraded() && last.state() == EngineState.CONNECTED;
        targetDown.set(down);
        healthText.set(down ? health.describe(now) : "");
    }

    // ---- properties

    public ReadOnlyObjectProperty<EngineState> stateProperty() {
        return state;
    }

    public ReadOnlyStringProperty statusTextProperty() {
        return statusText;
    }

    public ReadOnlyStringProperty detailTextProperty() {
        return detailText;
    }

    /** The public URL while bound; empty otherwise. */
    public ReadOnlyStringProperty publicUrlProperty() {
        return publicUrl;
    }

    /** For a private TCP tunnel: the ssh -J command to give a teammate; empty otherwise. */
    public ReadOnlyStringProperty teammateCommandProperty() {
        return teammateCommand;
    }

    /** What the relay said about the tunnel (a taken name, a refusal); empty when nothing. */
    public ReadOnlyStringProperty noticeProperty() {
        return notice;
    }

    /** Short confirmation of the last command, e.g. "Copied". */
    public ReadOnlyStringProperty feedbackProperty() {
        return feedback;
    }

    /**
     * While connected and the local target does not answer or its breaker holds requests back, in words
     * ({@code localhost:3000 is not answering — paused for 59 s}); empty otherwise.
     */
    public ReadOnlyStringProperty healthTextProperty() {
        return healthText;
    }

    /** Connected, but the local target is not healthy (amber): see {@link #healthTextProperty()}. */
    public javafx.beans.property.ReadOnlyBooleanProperty targetDownProperty() {
        return targetDown;
    }

    /** The certificate fingerprint of a relay the last connect refused as untrusted; empty otherwise. */
    public ReadOnlyStringProperty untrustedFingerprintProperty() {
        return untrustedFingerprint;
    }

    public StringBinding buttonTextBinding() {
        return Bindings.createStringBinding(() -> switch (state.get()) {
            case DISCONNECTED, FAILED -> "Connect";
            case CONNECTING, RECONNECTING -> "Cancel";
            case CONNECTED -> "Disconnect";
        }, state);
    }

    /** Whether "Open in browser" makes sense: an HTTP tunnel is bound. */
    public BooleanBinding canOpenBinding() {
        return publicUrl.isNotEmpty().and(http);
    }

    public BooleanBinding hasUrlBinding() {
        return publicUrl.isNotEmpty();
    }
}
