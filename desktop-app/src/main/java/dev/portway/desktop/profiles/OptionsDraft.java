package dev.portway.desktop.profiles;

import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.shared.protocol.Protocol;

import java.net.InetAddress;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The option fields of the profile form, as typed, and how they map to the profile's options (sent with the bind,
 * except {@code host_header}, which the engine handles itself):
 * <ul>
 *   <li>{@code queue=on} and {@code queue_priority} — the relay stores requests while this app is away (PROTOCOL.md §9)</li>
 *   <li>{@code basic_auth} = {@code user:password} — the relay asks visitors for it; a secret, like the token</li>
 *   <li>{@code ip_allow} — comma-separated addresses or CIDR ranges; the relay lets only those visitors in</li>
 *   <li>{@code host_header=rewrite} — requests reach the local app with Host set to the local target</li>
 *   <li>{@code local_protocol=h2c} — the engine speaks HTTP/2 without TLS to the local app (gRPC servers); not sent
 *   to the relay either</li>
 *   <li>{@code private=true} and {@code share} (TCP) — no public port: reachable only through the relay's SSH gateway
 *   ({@code ssh -J}) by the owner and the users named in {@code share} (PROTOCOL.md §4.1)</li>
 * </ul>
 * Options the form does not show (e.g. a TCP tunnel's {@code port}) are kept as they were.
 */
public record OptionsDraft(boolean queue, String queuePriority, String authUser, String authPassword, String ipAllow,
                           boolean rewriteHost, boolean privateTcp, String shareWith, boolean localH2c) {

    /** Speaking HTTP/1.1 to the local app (the default). */
    public OptionsDraft(boolean queue, String queuePriority, String authUser, String authPassword, String ipAllow,
                        boolean rewriteHost, boolean privateTcp, String shareWith) {
        this(queue, queuePriority, authUser, authPassword, ipAllow, rewriteHost, privateTcp, shareWith, false);
    }

    public enum Field { BASIC_AUTH, IP_ALLOW, SHARE }

    /** Without the TCP-only private/share options. */
    public OptionsDraft(boolean queue, String queuePriority, String authUser, String authPassword, String ipAllow,
                        boolean rewriteHost) {
        this(queue, queuePriority, authUser, authPassword, ipAllow, rewriteHost, false, "");
    }

    private static final java.util.regex.Pattern USER = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final int MAX_SHARE = 1_024;

    public static final String OPTION_BASIC_AUTH = Protocol.OPTION_BASIC_AUTH;
    public static final String OPTION_IP_ALLOW = Protocol.OPTION_IP_ALLOW;
    public static final List<String> PRIORITIES = List.of(Protocol.PRIORITY_HIGH, Protocol.PRIORITY_NORMAL, Protocol.PRIORITY_LOW);
    static final int MAX_USER = 64;
    static final int MAX_PASSWORD = 128;
    static final int MAX_ALLOW = 1_024;

    public static OptionsDraft of(Map<String, String> options) {
        String auth = options.getOrDefault(OPTION_BASIC_AUTH, "");
        int colon = auth.indexOf(':');
        return new OptionsDraft("on".equals(options.get(Protocol.OPTION_QUEUE)),
                options.getOrDefault(Protocol.OPTION_QUEUE_PRIORITY, Protocol.PRIORITY_NORMAL),
                colon < 0 ? auth : auth.substring(0, colon), colon < 0 ? "" : auth.substring(colon + 1),
                options.getOrDefault(OPTION_IP_ALLOW, ""),
                TunnelSpec.HOST_HEADER_REWRITE.equals(options.get(TunnelSpec.OPTION_HOST_HEADER)),
                "true".equals(options.get(Protocol.OPTION_PRIVATE)), options.getOrDefault(Protocol.OPTION_SHARE, ""),
                TunnelSpec.LOCAL_PROTOCOL_H2C.equals(options.get(TunnelSpec.OPTION_LOCAL_PROTOCOL)));
    }

    /** What is wrong, by field; empty when the options can be saved. */
    public Map<Field, String> problems() {
        Map<Field, String> p = new EnumMap<>(Field.class);
        String user = nz(authUser);
        String password = nz(authPassword);
        if (!user.isEmpty() || !password.isEmpty()) {
            if (user.isBlank()) {
                p.put(Field.BASIC_AUTH, "Enter a user name as well, or clear both fields to let visitors in without one.");
            } else if (password.isEmpty()) {
                p.put(Field.BASIC_AUTH, "Enter a password as well, or clear both fields to let visitors in without one.");
            } else if (user.contains(":") || !printable(user)) {
                p.put(Field.BASIC_AUTH, "The user name cannot contain ':' or spaces.");
            } else if (user.length() > MAX_USER || password.length() > MAX_PASSWORD) {
                p.put(Field.BASIC_AUTH, "Keep the user name under " + MAX_USER + " and the password under " + MAX_PASSWORD + " characters.");
            } else if (password.chars().anyMatch(Character::isISOControl)) {
                p.put(Field.BASIC_AUTH, "The password cannot contain control characters.");
            }
        }
        String allow = nz(ipAllow).strip();
        if (allow.length() > MAX_ALLOW) {
            p.put(Field.IP_ALLOW, "Keep the list under " + MAX_ALLOW + " characters — use wider ranges.");
        } else if (!allow.isEmpty()) {
            for (String entry : allow.split(",", -1)) {
                String why = cidrProblem(entry.strip());
                if (why != null) {
                    p.put(Field.IP_ALLOW, why);
                    break;
                }
            }
        }
        String share = nz(shareWith).strip();
        if (share.length() > MAX_SHARE) {
            p.put(Field.SHARE, "Keep the list under " + MAX_SHARE + " characters.");
        } else if (!share.isEmpty()) {
            if (!privateTcp) {
                p.put(Field.SHARE, "Sharing is for private tunnels — tick Private as well, or clear this field.");
            } else {
                for (String entry : share.split(",", -1)) {
                    String u = entry.strip();
                    if (!USER.matcher(u).matches()) {
                        p.put(Field.SHARE, u.isEmpty() ? "Remove the empty entry between the commas."
                                : "“" + u + "” is not a user name on a relay — letters, digits, '.', '_' and '-', separated by commas.");
                        break;
                    }
                }
            }
        }
        return p;
    }

    /**
     * {@link #problems()}, plus what the relay would refuse for a tunnel of {@code kind}: it does not queue requests
     * for an http tunnel with a visitor login or IP list (PROTOCOL.md §4.1), so the form says so before Connect.
     */
    public Map<Field, String> problems(Profile.Kind kind) {
        Map<Field, String> p = problems();
        if (kind == Profile.Kind.HTTP && queue) {
            String why = "The relay cannot queue requests for a tunnel with a visitor login or allowed IPs yet — "
                    + "turn the queue off or clear this field.";
            if (!nz(authUser).isEmpty() && !p.containsKey(Field.BASIC_AUTH)) {
                p.put(Field.BASIC_AUTH, why);
            }
            if (!nz(ipAllow).isBlank() && !p.containsKey(Field.IP_ALLOW)) {
                p.put(Field.IP_ALLOW, why);
            }
        }
        return p;
    }

    /** Why {@code s} is not an address or CIDR range, or null when it is one. */
    static String cidrProblem(String s) {
        if (s.isEmpty()) {
            return "Remove the empty entry between the commas.";
        }
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        InetAddress a;
        try {
            if (addr.isEmpty() || !addr.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')
                    || !addr.contains(":") && !dottedQuad(addr)) {
                throw new IllegalArgumentException();
            }
            a = InetAddress.ofLiteral(addr); // a literal only: never a DNS lookup
        } catch (IllegalArgumentException e) {
            return "“" + s + "” is not an IP address or range — write e.g. 203.0.113.7 or 10.0.0.0/8, separated by commas.";
        }
        if (slash >= 0) {
            int max = a.getAddress().length * 8;
            String bits = s.substring(slash + 1);
            if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit) || Integer.parseInt(bits) > max) {
                return "“" + s + "”: the number after '/' must be 0 to " + max + ".";
            }
        }
        return null;
    }

    /** Four decimal parts of 0..255: the JDK also takes short forms like {@code 10.1} that people do not mean. */
    private static boolean dottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** {@code base} with this draft's options set or removed; only while {@link #problems()} is empty. */
    public Map<String, String> applyTo(Map<String, String> base, Profile.Kind kind) {
        Map<String, String> o = new LinkedHashMap<>(base);
        boolean http = kind == Profile.Kind.HTTP;
        o.remove(Protocol.OPTION_QUEUE);
        o.remove(Protocol.OPTION_QUEUE_PRIORITY);
        o.remove(OPTION_BASIC_AUTH);
        o.remove(OPTION_IP_ALLOW);
        o.remove(TunnelSpec.OPTION_HOST_HEADER);
        o.remove(TunnelSpec.OPTION_LOCAL_PROTOCOL);
        o.remove(Protocol.OPTION_PRIVATE);
        o.remove(Protocol.OPTION_SHARE);
        if (http && queue) {
            o.put(Protocol.OPTION_QUEUE, "on");
            String priority = nz(queuePriority).toLowerCase(Locale.ROOT);
            if (PRIORITIES.contains(priority) && !priority.equals(Protocol.PRIORITY_NORMAL)) {
                o.put(Protocol.OPTION_QUEUE_PRIORITY, priority);
            }
        }
        if (http && !nz(authUser).isEmpty()) {
            o.put(OPTION_BASIC_AUTH, authUser + ":" + authPassword);
        }
        String allow = nz(ipAllow).strip();
        if (!allow.isEmpty()) {
            o.put(OPTION_IP_ALLOW, String.join(",", java.util.Arrays.stream(allow.split(",")).map(String::strip).toList()));
        }
        if (http && rewriteHost) {
            o.put(TunnelSpec.OPTION_HOST_HEADER, TunnelSpec.HOST_HEADER_REWRITE);
        }
        if (http && localH2c) {
            o.put(TunnelSpec.OPTION_LOCAL_PROTOCOL, TunnelSpec.LOCAL_PROTOCOL_H2C);
        }
        if (!http && privateTcp) {
            o.put(Protocol.OPTION_PRIVATE, "true");
            String share = nz(shareWith).strip();
            if (!share.isEmpty()) {
                o.put(Protocol.OPTION_SHARE, String.join(",", java.util.Arrays.stream(share.split(",")).map(String::strip).toList()));
            }
        }
        return o;
    }

    private static boolean printable(String s) {
        return s.chars().noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
