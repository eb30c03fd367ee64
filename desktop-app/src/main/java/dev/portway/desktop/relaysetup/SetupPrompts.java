package dev.portway.desktop.relaysetup;

import java.nio.file.Path;

/**
 * What a setup run asks the person. Called on the setup's own thread (never an FX or event-loop thread); a UI
 * implementation waits for the answer.
 */
public interface SetupPrompts {

    /**
     * The first time a server is seen: trust this host key? It is pinned when the answer is yes.
     *
     * @param fingerprint {@code SHA256:...} as {@code ssh-keygen -lf} prints it
     */
    boolean trustNewHostKey(String hostPort, String keyType, String fingerprint);

    /** The passphrase of an encrypted key file, or null to give up. Used once, never stored. */
    char[] passphrase(Path keyFile);
}
