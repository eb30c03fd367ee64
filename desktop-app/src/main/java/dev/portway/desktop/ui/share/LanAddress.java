package dev.portway.desktop.ui.share;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** This machine's address on the local network, the one a phone on the same Wi-Fi reaches it at. Blocking is brief; any thread. */
public final class LanAddress {
    private LanAddress() {
    }

    /**
     * The IPv4 address of an interface that is up, not loopback, not point-to-point (VPN) and not virtual; private
     * (site-local) addresses first. Empty when the machine has none (no network).
     */
    public static Optional<InetAddress> find() {
        List<InetAddress> found = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback() || nic.isPointToPoint() || nic.isVirtual()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()) {
                        found.add(a);
                    }
                }
            }
        } catch (SocketException e) {
            return Optional.empty();
        }
        return found.stream().filter(InetAddress::isSiteLocalAddress).findFirst().or(() -> found.stream().findFirst());
    }
}
