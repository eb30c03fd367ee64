package dev.portway.relay.tunnel;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * One CIDR block, IPv4 ({@code 203.0.113.0/24}) or IPv6 ({@code 2001:db8::/32}); a bare address is a block of one.
 * An IPv4-mapped IPv6 visitor ({@code ::ffff:1.2.3.4}) matches IPv4 blocks. Immutable.
 */
public record IpRange(byte[] network, int prefix, String text) {
    private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    /** @throws IllegalArgumentException with a message for the user */
    public static IpRange parse(String cidr) {
        String s = cidr.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        if (addr.isEmpty() || !LITERAL.matcher(addr).matches() || !(addr.contains(".") || addr.contains(":"))) {
            throw new IllegalArgumentException("\"" + cidr + "\" is not an IP address or CIDR block (e.g. 203.0.113.0/24 or 2001:db8::/32).");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress(); // a literal: no DNS lookup (checked above)
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("\"" + cidr + "\" is not an IP address or CIDR block (e.g. 203.0.113.0/24 or 2001:db8::/32).");
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("\"" + cidr + "\" has a bad prefix length: use /0 to /" + max + ".");
            }
        }
        byte[] network = mask(bytes, prefix);
        return new IpRange(network, prefix, s);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == 16 && network.length == 4 && isMappedV4(a)) {
            a = java.util.Arrays.copyOfRange(a, 12, 16);
        }
        if (a.length != network.length) {
            return false;
        }
        return java.util.Arrays.equals(mask(a, prefix), network);
    }

    private static boolean isMappedV4(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - bits)));
        }
        return out;
    }

    @Override
    public String toString() {
        return text;
    }
}
