package dev.portway.desktop.ui.connect;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Is anything listening at the local target? A TCP connect with a short timeout, closed at once — the cheapest check
 * that does not send the app a request. Blocks for up to {@code timeout} per address: call it off the FX thread.
 */
final class TargetProbe {
    private TargetProbe() {
    }

    /** True when one of the addresses {@code host} resolves to (e.g. both ::1 and 127.0.0.1 for localhost) accepts. */
    static boolean answers(String host, int port, Duration timeout) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return false;
        }
        for (InetAddress a : all) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(a, port), (int) timeout.toMillis());
                return true;
            } catch (IOException e) {
                // try the next address
            }
        }
        return false;
    }

    /** A shared folder's probe: true while the folder its options name is there, a folder, and readable. */
    static boolean folderReadable(java.util.Map<String, String> options) {
        try {
            return dev.portway.desktop.engine.share.FolderShare.of(options) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
