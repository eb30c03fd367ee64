package dev.portway.desktop.profiles;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where a profile's local target is, judged from its text alone (no DNS look-up: an import must not reach out to
 * find out): this machine, a link-local or cloud metadata address, or somewhere else. A tunnel publishes whatever
 * its target is, so an imported profile pointing anywhere but this machine deserves a second look.
 */
final class LocalTargets {
    enum Reach {
        /** {@code localhost}, {@code *.localhost}, 127.0.0.0/8, ::1, or the any-address (which connects locally). */
        THIS_MACHINE,
        /** 169.254.0.0/16, fe80::/10, or a known cloud metadata name or address: a tunnel would publish credentials. */
        METADATA,
        /** Any other name or address: another machine, as far as the text tells. */
        ELSEWHERE
    }

    /** Metadata services outside the link-local ranges, and the names clouds give them. */
    private static final Set<String> METADATA_NAMES = Set.of("metadata", "metadata.google.internal", "metadata.goog",
            "instance-data", "instance-data.ec2.internal");
    private static final Set<String> METADATA_ADDRESSES = Set.of(
            "100.100.100.200", // Alibaba Cloud
            "168.63.129.16", // Azure WireServer
            "192.0.0.192", // Oracle Cloud (classic)
            "fd00:ec2:0:0:0:0:0:254"); // AWS, over IPv6

    private LocalTargets() {
    }

    static Reach of(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return Reach.THIS_MACHINE;
        }
        if (METADATA_NAMES.contains(h)) {
            return Reach.METADATA;
        }
        List<InetAddress> readings = readings(h);
        if (readings.isEmpty()) {
            return Reach.ELSEWHERE; // a name: it could resolve anywhere
        }
        if (readings.stream().anyMatch(LocalTargets::metadata)) {
            return Reach.METADATA;
        }
        return readings.stream().allMatch(a -> a.isLoopbackAddress() || a.isAnyLocalAddress()) ? Reach.THIS_MACHINE : Reach.ELSEWHERE;
    }

    /**
     * Every address {@code h} can mean. Java reads {@code 010.0.0.1} as 10.0.0.1, the C library (which resolves what
     * Java does not take as a literal) as 8.0.0.1, and {@code 0xa9fea9fe} as 169.254.169.254: both readings count.
     */
    private static List<InetAddress> readings(String h) {
        List<InetAddress> all = new ArrayList<>(2);
        try {
            all.add(InetAddress.ofLiteral(h));
        } catch (IllegalArgumentException e) {
            // not a Java literal
        }
        if (!h.contains(":")) {
            try {
                all.add(Inet4Address.ofPosixLiteral(h));
            } catch (IllegalArgumentException e) {
                // not an inet_addr literal either
            }
        }
        return all;
    }

    private static boolean metadata(InetAddress a) {
        return a.isLinkLocalAddress() || METADATA_ADDRESSES.contains(a.getHostAddress().replaceAll("%.*$", ""));
    }
}
