package dev.portway.desktop.relaysetup;


import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * A server for the relay setup tests: a real OpenSSH server on loopback (TestSshd: its own config, host key and
 * authorized key) and a temporary install root with the files useradd needs. The login is the test's own user (root
 * on CI), so the privilege command is empty; the relay runs with its own launcher (no systemd in a temp root).
 */
final class SetupServer implements AutoCloseable {
    final TestSshd sshd;
    final Path root;
    final Path home;
    final HostKeyPins pins = HostKeyPins.inMemory();
    final List<String> confirmed = new CopyOnWriteArrayList<>();
    final SetupPrompts prompts = new SetupPrompts() {
        @Override
        public boolean trustNewHostKey(String hostPort, String keyType, String fingerprint) {
            confirmed.add(fingerprint);
            return true;
        }

        @Override
        public char[] passphrase(Path keyFile) {
            return null;
        }
    };

    SetupServer(Path dir) throws IOException, InterruptedException {
        sshd = new TestSshd(Files.createDirectories(dir.resolve("sshd")));
        root = Files.createDirectories(dir.resolve("server-root"));
        Files.createDirectories(root.resolve("etc"));
        for (String f : List.of("passwd", "group", "shadow", "gshadow")) {
            Files.writeString(root.resolve("etc").resolve(f), f.equals("passwd") ? "root:x:0:0:root:/root:/bin/sh\n"
                    : f.equals("group") ? "root:x:0:\n" : "root:*::\n");
        }
        home = Path.of(System.getProperty("user.home"));
    }

    SshTarget target() {
        return new SshTarget(System.getProperty("user.name"), "127.0.0.1", sshd.port, sshd.clientKey, null);
    }

    SetupOptions options(SetupOptions.Mode mode, Path archive, int relayPort) {
        return new SetupOptions(target(), mode, archive, relayPort, "relay.test", "0-0", root.toString(), "",
                SetupOptions.Service.LAUNCHER, "alice", false, Duration.ofSeconds(60));
    }

    RelaySetup.Result run(SetupOptions o) {
        return RelaySetup.run(o, pins, prompts, new RelaySetup.Listener() { });
    }

    RelaySetup.Result run(SetupOptions o, List<Step> steps) {
        return RelaySetup.run(o, steps, pins, prompts, new RelaySetup.Listener() { });
    }

    /** The archive the build made (relay-lite's package phase runs before desktop-app's tests). */
    static Path builtArchive() throws IOException {
        Path target = Path.of("..", "relay-lite", "target").toAbsolutePath().normalize();
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("relay-lite-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new IOException("No relay-lite-*.tar.gz in " + target + " — run mvn package in relay-lite"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("No " + target + " — build relay-lite first (mvn -pl desktop-app -am verify does)", e);
        }
    }

    /**
     * The same relay under another version and with other bytes: one more (empty) gzip member at the end, which tar
     * reads through, so it unpacks to the same files.
     */
    static Path otherArchive(Path dir, String version) throws IOException {
        Path copy = Files.createDirectories(dir).resolve("relay-lite-" + version + ".tar.gz");
        Files.copy(builtArchive(), copy);
        try (OutputStream out = Files.newOutputStream(copy, java.nio.file.StandardOpenOption.APPEND);
             GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.finish();
        }
        return copy;
    }

    /**
     * Every file under the install root with its hash — the server's state as a rollback must restore it. Left out:
     * useradd's backups (passwd- etc.), folders (a real server has /opt and /var/lib anyway), and what the running
     * relay itself writes: its data (H2 files change while it runs) and its log (kept for diagnosis).
     */
    Map<String, String> tree() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                if (!Files.isRegularFile(p) || rel.matches("etc/[a-z]+-") || rel.matches("etc/\\.?[a-z]+\\.lock")
                        || rel.startsWith("var/lib/portway-relay/") || rel.startsWith("var/log/")) {
                    continue;
                }
                m.put(rel, Archive.sha256(p));
            }
        }
        return m;
    }

    Path path(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    /** Stops a relay the launcher left running (a failed test), by its pid file. */
    void stopRelay() throws IOException {
        Path pid = path("/run/portway-relay.pid");
        if (Files.exists(pid)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroy);
        }
    }

    @Override
    public void close() throws IOException {
        stopRelay();
        sshd.close();
    }
}
