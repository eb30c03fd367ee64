package dev.portway.desktop.relaysetup;

import dev.portway.desktop.profiles.ProfileStore;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The SSH host keys confirmed by the person, by {@code host:port} (like {@code known_hosts}). A key that differs
 * from its pin is refused. Kept in the app's settings; thread-safe as its backing store.
 */
public final class HostKeyPins {
    private static final String PREFIX = "relay-setup.host-key.";
    private final Function<String, Optional<String>> read;
    private final BiConsumer<String, String> write;

    private HostKeyPins(Function<String, Optional<String>> read, BiConsumer<String, String> write) {
        this.read = read;
        this.write = write;
    }

    /** Pins kept in the app's settings table. */
    public static HostKeyPins in(ProfileStore store) {
        return new HostKeyPins(k -> store.setting(PREFIX + k), (k, v) -> store.putSetting(PREFIX + k, v));
    }

    /** Pins kept in the app's settings through its store thread; call only off the FX thread (it waits). */
    public static HostKeyPins in(dev.portway.desktop.profiles.ProfileService profiles) {
        return new HostKeyPins(k -> profiles.setting(PREFIX + k).join(), (k, v) -> profiles.putSetting(PREFIX + k, v).join());
    }

    /** Pins kept in memory (the CLI with no data dir, tests). */
    public static HostKeyPins inMemory() {
        Map<String, String> m = new ConcurrentHashMap<>();
        return new HostKeyPins(k -> Optional.ofNullable(m.get(k)), m::put);
    }

    public Optional<String> pinned(String hostPort) {
        return read.apply(hostPort);
    }

    public void pin(String hostPort, String fingerprint) {
        write.accept(hostPort, fingerprint);
    }
}
