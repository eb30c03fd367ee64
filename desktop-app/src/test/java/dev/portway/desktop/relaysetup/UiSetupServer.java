package dev.portway.desktop.relaysetup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@link SetupServer} for the dialog's UI test (another package): what the form needs typed in. */
public final class UiSetupServer implements AutoCloseable {
    private final SetupServer server;
    private final int relayPort;

    public UiSetupServer(Path dir) throws IOException, InterruptedException {
        server = new SetupServer(Files.createDirectories(dir));
        relayPort = RelaySetupIT.freePort();
    }

    public String userAtHost() {
        return System.getProperty("user.name") + "@127.0.0.1";
    }

    public int sshPort() {
        return server.sshd.port;
    }

    public Path clientKey() {
        return server.sshd.clientKey;
    }

    public int relayPort() {
        return relayPort;
    }

    public Path archive() throws IOException {
        return SetupServer.builtArchive();
    }

    public Path root() {
        return server.root;
    }

    /** The sshd's host key as ssh-keygen -lf prints it. */
    public String hostKeyFingerprint() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh-keygen", "-lf", server.sshd.hostKey + ".pub").redirectErrorStream(true).start();
        p.waitFor();
        return new String(p.getInputStream().readAllBytes()).split(" ")[1];
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
