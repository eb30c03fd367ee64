package dev.portway.desktop.ui.inspector;

import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.stream.HopByHop;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * "Copy as curl": a POSIX-shell command (sh, bash, zsh) that sends a captured request again. Every argument is
 * single-quoted, so quotes, {@code $}, backslashes, newlines and non-ASCII text reach curl unchanged.
 * Hop-by-hop headers, {@code Host}, {@code Content-Length} (curl sets them) and the headers the relay and
 * Portway add ({@code X-Forwarded-*}, {@code Portway-*}) are left out. A body curl cannot be given as text —
 * binary, or truncated by the capture — is left out with a comment saying so.
 */
public final class CurlCommand {
    /** Left out besides the hop-by-hop fields ({@link HopByHop}, the one rule the relay and the engine use too). */
    static final Set<String> LEFT_OUT = Set.of("host", "content-length", "x-forwarded-for", "x-forwarded-proto",
            "x-forwarded-host",
            Protocol.REQUEST_ID_HEADER.toLowerCase(Locale.ROOT), Protocol.DELIVERY_ID_HEADER.toLowerCase(Locale.ROOT));

    private CurlCommand() {
    }

    /**
     * The public URL's base as the visitor used it, from {@code X-Forwarded-Proto} and {@code X-Forwarded-Host}
     * (or {@code Host}); null when the capture has neither.
     */
    public static String publicBase(CapturedExchange x) {
        String host = Exchange.header(x.requestHeaders(), "X-Forwarded-Host");
        if (host == null) {
            host = Exchange.header(x.requestHeaders(), "Host");
        }
        if (host == null || host.isBlank()) {
            return null;
        }
        String proto = Exchange.header(x.requestHeaders(), "X-Forwarded-Proto");
        return (proto == null || proto.isBlank() ? "http" : proto.strip()) + "://" + host.strip();
    }

    /**
     * @param base scheme, host and port, e.g. {@code https://my-app.example.com} or {@code http://localhost:3000}
     */
    public static String of(String method, String path, CapturedExchange x, String base) {
        List<String> comments = new ArrayList<>();
        List<String> args = new ArrayList<>();
        args.add(quote(stripSlash(base) + path));
        String data = body(x.requestBody(), comments);
        if (method.equals("HEAD")) {
            args.add("--head");
        } else if (!(method.equals("GET") && data == null) && !(method.equals("POST") && data != null)) {
            args.add("-X " + quote(method));
        }
        for (Header h : HopByHop.strip(x.requestHeaders())) {
            if (!LEFT_OUT.contains(h.name().toLowerCase(Locale.ROOT))) {
                // "Name;" is curl's way to send a header with an empty value ("Name:" would remove it).
                args.add("-H " + quote(h.value().isEmpty() ? h.name() + ";" : h.name() + ": " + h.value()));
            }
        }
        if (data != null) {
            args.add("--data-binary " + quote(data));
        }
        StringBuilder out = new StringBuilder();
        for (String c : comments) {
            out.append("# ").append(c).append('\n');
        }
        out.append("curl ").append(String.join(" \\\n  ", args));
        return out.toString();
    }

    /** The body as curl's argument, or null when there is none or it cannot be given as text (said in a comment). */
    private static String body(CapturedBody body, List<String> comments) {
        if (body.size() == 0) {
            return null;
        }
        if (body.truncated()) {
            comments.add("The request body (" + BodyText.size(body.size()) + ") is left out: "
                    + (body.bytes().length == 0 ? "bodies were not captured." : "only its first " + BodyText.size(body.bytes().length)
                    + " were captured."));
            return null;
        }
        // Exactly these bytes: the command is UTF-8 text, so the body must be UTF-8 to survive the round trip.
        String text = BodyText.decode(body.bytes(), StandardCharsets.UTF_8, false);
        if (text == null || text.indexOf('\0') >= 0 || BodyText.looksBinary(text)) {
            comments.add("The request body (" + BodyText.size(body.size()) + " of binary data) is left out:"
                    + " save it to a file and add --data-binary @FILE.");
            return null;
        }
        return text;
    }

    /** Single-quotes {@code s} for a POSIX shell: {@code it's} becomes {@code 'it'\''s'}. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String stripSlash(String base) {
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}
