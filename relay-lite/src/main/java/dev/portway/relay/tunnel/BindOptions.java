package dev.portway.relay.tunnel;

import dev.portway.relay.rewrite.RewriteOptions;
import dev.portway.shared.protocol.Protocol;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The options of a bind (PROTOCOL.md §4, §9.2), checked. Bad input is refused with a message that names
 * the option and what is allowed; nothing is half-applied. Stateless.
 *
 * @param queue       null unless {@code queue=on}
 * @param protection  what visitors must pass (§4.1); {@link VisitorProtection#NONE} when nothing was asked
 * @param privateTo   null for a public tunnel; for {@code private=true} the users of {@code share} (maybe none)
 * @param rewrite     how responses are rewritten for visitors (§4.1 "Response rewriting")
 */
record BindOptions(boolean strictName, QueueOptions queue, VisitorProtection protection, Set<String> privateTo,
                   RewriteOptions rewrite) {
    static final List<String> KNOWN = java.util.stream.Stream.concat(java.util.stream.Stream.of(Protocol.OPTION_STRICT_NAME,
            Protocol.OPTION_QUEUE, Protocol.OPTION_QUEUE_METHODS, Protocol.OPTION_QUEUE_MAX_BODY, Protocol.OPTION_QUEUE_PRIORITY,
            Protocol.OPTION_BASIC_AUTH, Protocol.OPTION_IP_ALLOW, Protocol.OPTION_IP_DENY,
            Protocol.OPTION_PRIVATE, Protocol.OPTION_SHARE), RewriteOptions.KNOWN.stream()).toList();
    /** A user name as the SSH gateway knows it (the login of {@code ssh user@relay}). */
    private static final Pattern USER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final String DEFAULT_METHODS = "POST,PUT,PATCH,DELETE";
    static final long DEFAULT_MAX_BODY = 1024 * 1024;
    /** A queued body is held in memory while it is read and written: keep it well below the heap. */
    static final long MAX_MAX_BODY = 16L * 1024 * 1024;
    private static final Pattern METHOD = Pattern.compile("[A-Z][A-Z-]{0,31}");

    /** Thrown with a message for the user. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    /**
     * @param queueMaxBytes the relay's byte capacity per queued tunnel; a body may not exceed it
     * @throws Invalid when an option is unknown or has a bad value
     */
    static BindOptions parse(Map<String, String> options, String kind, long queueMaxBytes) throws Invalid {
        Map<String, String> o = options == null ? Map.of() : options;
        for (String key : o.keySet()) {
            if (!KNOWN.contains(key)) {
                throw new Invalid("This relay does not know the tunnel option \"" + key + "\" — it knows "
                        + String.join(", ", KNOWN) + ".");
            }
        }
        String strict = o.getOrDefault(Protocol.OPTION_STRICT_NAME, "false"); // anything but true is false, as before §9
        VisitorProtection protection = protection(o, kind);
        Set<String> privateTo = parsePrivate(o, kind);
        RewriteOptions rewrite;
        try {
            rewrite = RewriteOptions.parse(o, kind);
        } catch (IllegalArgumentException e) {
            throw new Invalid(e.getMessage());
        }
        String queue = o.getOrDefault(Protocol.OPTION_QUEUE, "off");
        if (!queue.equals("on") && !queue.equals("off")) {
            throw new Invalid("The option queue must be on or off, not \"" + queue + "\".");
        }
        if (queue.equals("off")) {
            for (String key : List.of(Protocol.OPTION_QUEUE_METHODS, Protocol.OPTION_QUEUE_MAX_BODY, Protocol.OPTION_QUEUE_PRIORITY)) {
                if (o.containsKey(key)) {
                    throw new Invalid("The option " + key + " needs queue=on.");
                }
            }
            return new BindOptions(strict.equalsIgnoreCase("true"), null, protection, privateTo, rewrite);
        }
        if (!Protocol.KIND_HTTP.equals(kind)) {
            throw new Invalid("The option queue=on is for http tunnels only, not " + kind + ".");
        }
        if (!protection.isNone()) {
            // Requests are queued while the client is away; the protection lives with the client's session, and a
            // relay restart would forget it while the queue is kept. Refuse rather than queue unchecked requests.
            throw new Invalid("The option queue=on cannot be combined with basic_auth, ip_allow or ip_deny yet — "
                    + "choose one of them.");
        }
        Set<String> methods = new LinkedHashSet<>();
        String list = o.getOrDefault(Protocol.OPTION_QUEUE_METHODS, DEFAULT_METHODS);
        for (String m : list.split(",", -1)) {
            String method = m.trim().toUpperCase(Locale.ROOT);
            if (!METHOD.matcher(method).matches()) {
                throw new Invalid("The option queue_methods must be HTTP methods separated by commas, e.g. "
                        + DEFAULT_METHODS + ", not \"" + list + "\".");
            }
            methods.add(method);
        }
        long limit = Math.min(MAX_MAX_BODY, queueMaxBytes);
        long maxBody = Math.min(DEFAULT_MAX_BODY, limit);
        String body = o.get(Protocol.OPTION_QUEUE_MAX_BODY);
        if (body != null) {
            try {
                maxBody = Long.parseLong(body.trim());
            } catch (NumberFormatException e) {
                maxBody = -1;
            }
            if (maxBody < 0 || maxBody > limit) {
                throw new Invalid("The option queue_max_body must be a number of bytes from 0 to " + limit
                        + " on this relay, not \"" + body + "\".");
            }
        }
        String priority = o.getOrDefault(Protocol.OPTION_QUEUE_PRIORITY, Protocol.PRIORITY_NORMAL);
        if (!List.of(Protocol.PRIORITY_HIGH, Protocol.PRIORITY_NORMAL, Protocol.PRIORITY_LOW).contains(priority)) {
            throw new Invalid("The option queue_priority must be high, normal or low, not \"" + priority + "\".");
        }
        return new BindOptions(strict.equalsIgnoreCase("true"), new QueueOptions(methods, maxBody, priority), protection, privateTo,
                rewrite);
    }

    private static VisitorProtection protection(Map<String, String> o, String kind) throws Invalid {
        String auth = o.get(Protocol.OPTION_BASIC_AUTH);
        if (auth != null && !Protocol.KIND_HTTP.equals(kind)) {
            throw new Invalid("The option basic_auth is for http tunnels only; protect a tcp tunnel with ip_allow or ip_deny.");
        }
        try {
            return VisitorProtection.of(auth, o.get(Protocol.OPTION_IP_ALLOW), o.get(Protocol.OPTION_IP_DENY),
                    Protocol.OPTION_BASIC_AUTH, Protocol.OPTION_IP_ALLOW, Protocol.OPTION_IP_DENY);
        } catch (IllegalArgumentException e) {
            throw new Invalid(e.getMessage());
        }
    }

    /** {@code private} and {@code share}: null for a public tunnel, else the users it is shared with. */
    private static Set<String> parsePrivate(Map<String, String> o, String kind) throws Invalid {
        String priv = o.getOrDefault(Protocol.OPTION_PRIVATE, "false");
        if (!priv.equals("true") && !priv.equals("false")) {
            throw new Invalid("The option private must be true or false, not \"" + priv + "\".");
        }
        String share = o.get(Protocol.OPTION_SHARE);
        if (priv.equals("false")) {
            if (share != null) {
                throw new Invalid("The option share needs private=true.");
            }
            return null;
        }
        if (!Protocol.KIND_TCP.equals(kind)) {
            throw new Invalid("The option private=true is for tcp tunnels only, not " + kind + ".");
        }
        Set<String> users = new LinkedHashSet<>();
        if (share != null && !share.isBlank()) {
            for (String u : share.split(",", -1)) {
                String user = u.trim().toLowerCase(Locale.ROOT);
                if (!USER.matcher(user).matches()) {
                    throw new Invalid("The option share must be user names separated by commas, e.g. alice,bob, not \""
                            + share + "\".");
                }
                users.add(user);
            }
        }
        return Set.copyOf(users);
    }
}
