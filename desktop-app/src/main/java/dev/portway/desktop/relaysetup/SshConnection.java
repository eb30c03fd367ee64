package dev.portway.desktop.relaysetup;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One SSH connection to the server being set up (MINA SSHD's client): host key checked against its pin, public-key
 * log-in only (a key file or the SSH agent), remote commands, SFTP upload and a forwarded port. Not thread-safe: one
 * setup run uses it from its own thread.
 */
final class SshConnection implements AutoCloseable {
    /** Below OpenSSH's 256 KiB SFTP message limit. */
    private static final int UPLOAD_BUFFER = 128 * 1024;
    private final SshTarget target;
    private final Duration timeout;
    private final SshClient client;
    private ClientSession session;
    private volatile String seenKeyType;
    private volatile String seenFingerprint;
    private volatile String refusal;
    private volatile boolean newlyPinned;

    SshConnection(SshTarget target, HostKeyPins pins, SetupPrompts prompts, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
        client = SshClient.setUpDefaultClient();
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        client.setForwardingFilter(AcceptAllForwardingFilter.INSTANCE);
        client.setServerKeyVerifier((s, address, key) -> verify(pins, prompts, key));
        if (target.keyFile() != null) {
            FileKeyPairProvider keys = new FileKeyPairProvider(target.keyFile());
            // Asked once per decryption attempt; the passphrase lives only in this call.
            keys.setPasswordFinder((FilePasswordProvider) (s, resource, retry) -> {
                char[] p = prompts.passphrase(target.keyFile());
                return p == null ? null : new String(p);
            });
            client.setKeyIdentityProvider(keys);
        } else {
            client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
            client.setAgentFactory(AgentSocket.factory(target.agentSocket()));
        }
        client.start();
    }

    /** Reads the server's SSH banner over plain TCP: proves something SSH answers at host:port. */
    static String banner(SshTarget target, Duration timeout) throws SetupException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(target.host(), target.port()), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int c; (c = in.read()) >= 0 && c != '\n' && line.size() < 255; ) {
                line.write(c);
            }
            String banner = line.toString(StandardCharsets.US_ASCII).strip();
            if (!banner.startsWith("SSH-")) {
                throw new SetupException(target.hostPort() + " answers, but not with SSH (\"" + banner + "\").",
                        "Check the SSH port of the server (usually 22).");
            }
            return banner;
        } catch (IOException e) {
            throw new SetupException("Cannot reach " + target.hostPort() + " (" + e.getMessage() + ").",
                    "Check the host name and SSH port, and that the server is running and lets SSH in.", e);
        }
    }

    /** Connects and runs the key exchange: the host key is checked (or confirmed and pinned) here. */
    void handshake() throws SetupException {
        try {
            session = client.connect(target.user(), target.host(), target.port()).verify(timeout).getSession();
            Set<ClientSessionEvent> ev = session.waitFor(EnumSet.of(ClientSessionEvent.WAIT_AUTH,
                    ClientSessionEvent.CLOSED, ClientSessionEvent.AUTHED), timeout);
            if (ev.contains(ClientSessionEvent.CLOSED) || refusal != null) {
                throw refused();
            }
        } catch (IOException e) {
            if (refusal != null) {
                throw refused();
            }
            throw new SetupException("The SSH handshake with " + target.hostPort() + " failed (" + e.getMessage() + ").",
                    "Check that this is an SSH server.", e);
        }
    }

    private SetupException refused() {
        return new SetupException(refusal == null ? "The server closed the connection during the SSH handshake." : refusal,
                refusal != null && refusal.contains("CHANGED")
                        ? "If the server was reinstalled, remove its pinned key in the app (or ask its admin for the "
                        + "new fingerprint). Otherwise someone may be intercepting the connection: do not go on."
                        : "Run again and accept the key if its fingerprint matches the server's (ssh-keygen -lf "
                        + "/etc/ssh/ssh_host_ed25519_key.pub on the server).");
    }

    /** Logs in with the key file or the agent's keys. */
    void login() throws SetupException {
        try {
            session.auth().verify(timeout);
        } catch (IOException e) {
            String how = target.keyFile() != null ? "the key " + target.keyFile() : "the SSH agent's keys";
            throw new SetupException("The server did not accept " + how + " for " + target.user() + " ("
                    + e.getMessage() + ").", "Add your public key to ~" + target.user()
                    + "/.ssh/authorized_keys on the server, or choose another key or user.", e);
        }
    }

    String keyType() {
        return seenKeyType;
    }

    String fingerprint() {
        return seenFingerprint;
    }

    boolean newlyPinned() {
        return newlyPinned;
    }

    private boolean verify(HostKeyPins pins, SetupPrompts prompts, PublicKey key) {
        String fp = KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
        seenKeyType = KeyUtils.getKeyType(key);
        seenFingerprint = fp;
        String pinned = pins.pinned(target.hostPort()).orElse(null);
        if (pinned != null) {
            if (pinned.equals(fp)) {
                return true;
            }
            refusal = "The host key of " + target.hostPort() + " has CHANGED: it is " + fp + ", but " + pinned
                    + " was confirmed before. Refused.";
            return false;
        }
        if (prompts.trustNewHostKey(target.hostPort(), seenKeyType, fp)) {
            pins.pin(target.hostPort(), fp);
            newlyPinned = true;
            return true;
        }
        refusal = "The host key " + fp + " of " + target.hostPort() + " was not accepted.";
        return false;
    }

    /** Runs {@code command} (a POSIX shell line) with {@code stdin}; waits at most {@code limit}. */
    ExecResult exec(String command, byte[] stdin, Duration limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec ch = session.createExecChannel(command)) {
            ch.setOut(out);
            ch.setErr(err);
            ch.open().verify(timeout);
            try (OutputStream in = ch.getInvertedIn()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            Set<ClientChannelEvent> ev = ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), limit);
            if (!ev.contains(ClientChannelEvent.CLOSED)) {
                throw new IOException("the command did not finish within " + limit.toSeconds() + " s");
            }
            Integer code = ch.getExitStatus();
            return new ExecResult(code == null ? -1 : code, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        }
    }

    /** Uploads {@code local} into {@code remoteDir} (which exists) over SFTP, via a temporary name. */
    void upload(Path local, String remoteDir, String remoteName) throws IOException {
        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
            String part = remoteDir + "/" + remoteName + ".part";
            // Large writes: SFTP's default 32 KiB requests make a 20 MiB upload crawl on a busy link.
            try (OutputStream out = sftp.write(part, UPLOAD_BUFFER); InputStream in = Files.newInputStream(local)) {
                in.transferTo(out);
            }
            try {
                sftp.remove(remoteDir + "/" + remoteName);
            } catch (IOException absent) {
                // nothing to replace
            }
            sftp.rename(part, remoteDir + "/" + remoteName);
        }
    }

    /** A local port forwarded to {@code port} on the server's loopback; close it when done. */
    ExplicitPortForwardingTracker forward(int port) throws IOException {
        return session.createLocalPortForwardingTracker(new SshdSocketAddress("127.0.0.1", 0),
                new SshdSocketAddress("127.0.0.1", port));
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                session.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        } finally {
            client.stop();
        }
    }
}
