package dev.portway.relay.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server on a loopback port with its own config, host key and one authorized client
 * key, all inside a temp folder — the local target of a TCP tunnel. Needs Debian's openssh-server
 * and openssh-client (installed by .ci/run). Shared with desktop-app's tests through relay-lite's test jar.
 */
public final class LocalSshd implements AutoCloseable {
    public final Path dir;
    public final Path clientKey;
    public final int port;
    private final Process process;

    public LocalSshd(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        Path hostKey = dir.resolve("host_ed25519");
        clientKey = dir.resolve("client_ed25519");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey.toString());
        Path authorized = dir.resolve("authorized_keys");
        Files.copy(dir.resolve("client_ed25519.pub"), authorized);
        Files.setPosixFilePermissions(authorized, PosixFilePermissions.fromString("rw-------"));
        Files.createDirectories(Path.of("/run/sshd")); // privilege separation dir sshd insists on
        port = freePort();
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + hostKey,
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + authorized,
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "UsePAM no",
                "LogLevel ERROR",
                ""));
        process = new ProcessBuilder(sshd(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
            }
            Thread.onSpinWait();
        }
    }

    /** Runs the real {@code ssh} client against {@code port} with the authorized key; returns exit code and output. */
    public ProcessResult ssh(int port, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-p", String.valueOf(port), "-i", clientKey.toString(),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
                System.getProperty("user.name") + "@127.0.0.1"));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("ssh did not finish within 30 s");
        }
        return new ProcessResult(p.exitValue(), new String(p.getInputStream().readAllBytes()).trim());
    }

    public record ProcessResult(int exitCode, String output) {
    }

    private static String sshd() {
        for (String c : new String[]{"/usr/sbin/sshd", "/usr/bin/sshd"}) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        throw new IllegalStateException("sshd not found: install openssh-server (.ci/run does)");
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }
}
