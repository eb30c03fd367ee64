package dev.portway.relay.ingress;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.InvalidLineSeparatorException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The checks of RFC 9112 a request head must pass before the relay routes it (relay-lite/README.md, "Strict
 * parsing"): one valid Host (none only on HTTP/1.0), and a request target in origin-form ({@code /path?query}),
 * absolute-form ({@code http://authority/path}, rewritten to origin-form with Host set to its authority, §3.2.2) or
 * {@code *} for OPTIONS. Anything else is refused here, so it never reaches a tunnel. Stateless.
 */
public final class RequestHead {
    /** Why a head is refused: the relay's page, after which the connection is closed. */
    record Refusal(HttpResponseStatus status, String title, String message, String hint) {
        FullHttpResponse page() {
            return Pages.page(status, title, message, hint);
        }

        static Refusal badRequest(String message, String hint) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "Bad request", message, hint);
        }
    }

    /** What the head asks for once it passed. */
    enum Verdict {
        /** Route it as usual. */
        ROUTE,
        /** {@code OPTIONS *}: about the server in general; the relay answers it itself. */
        SERVER_OPTIONS
    }

    /** uri-host [ ":" port ] (RFC 3986 §3.2.2): a bracketed IP literal or reg-name / IPv4 characters; may be empty. */
    private static final Pattern HOST = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(:[0-9]*)?");
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);

    private RequestHead() {
    }

    /** The page for a head Netty's decoder refused. */
    static Refusal decoderFailure(Throwable cause, int maxHeaderBytes) {
        if (cause instanceof TooLongHttpLineException) {
            return new Refusal(HttpResponseStatus.REQUEST_URI_TOO_LONG, "URL too long",
                    "The request line is longer than the " + VisitorCodec.MAX_REQUEST_LINE / 1024 + " KiB this relay accepts.",
                    "Send a shorter URL; put large data in the request body.");
        }
        if (cause instanceof TooLongFrameException) {
            return new Refusal(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Request head too large",
                    "The request line or headers are larger than this relay accepts ("
                            + VisitorCodec.MAX_REQUEST_LINE / 1024 + " KiB line, " + maxHeaderBytes / 1024 + " KiB headers).",
                    null);
        }
        if (cause instanceof VisitorCodec.ObsFoldException) {
            return Refusal.badRequest("A header line of this request starts with a space or tab (obsolete line folding).",
                    "Send each header field on one line.");
        }
        if (cause instanceof InvalidLineSeparatorException) {
            return Refusal.badRequest("A line of this request's head ends with a bare LF.", "End every line with CRLF.");
        }
        if (cause instanceof ContentLengthNotAllowedException) {
            return Refusal.badRequest("This request has both Content-Length and Transfer-Encoding.",
                    "Send one of them: Content-Length for a body of known size, else Transfer-Encoding: chunked.");
        }
        String text = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        if (text.contains("Content-Length")) {
            return Refusal.badRequest("This request's Content-Length is not one plain number.",
                    "Send a single Content-Length with the body's size in bytes.");
        }
        if (text.contains("chunked") || text.contains("transfer coding")) {
            return Refusal.badRequest("This request's Transfer-Encoding does not end with chunked.",
                    "Send Transfer-Encoding: chunked as the final coding.");
        }
        return Refusal.badRequest("The relay could not read this HTTP request.", null);
    }

    /**
     * Checks the head and turns an absolute-form target into origin-form (changing {@code req}'s URI and Host).
     *
     * @return the refusal, or null when the head may go on (see {@link #verdict})
     */
    static Refusal check(HttpRequest req) {
        List<String> hosts = req.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return Refusal.badRequest("This request has " + hosts.size() + " Host header fields.", "Send exactly one.");
        }
        if (hosts.isEmpty() && !req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            return Refusal.badRequest("This HTTP/1.1 request has no Host header field.", "Send the host name in Host.");
        }
        if (hosts.size() == 1 && !HOST.matcher(hosts.getFirst().trim()).matches()) {
            return Refusal.badRequest("This request's Host is not a host name with an optional port.", null);
        }
        String uri = req.uri();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                return Refusal.badRequest("This request's target contains control characters.", "Percent-encode them.");
            }
        }
        if (uri.startsWith("/")) {
            return null;
        }
        if (uri.equals("*")) {
            return HttpMethod.OPTIONS.equals(req.method()) ? null
                    : Refusal.badRequest("The target * is only for OPTIONS.", "Send a path starting with /.");
        }
        if (SCHEME.matcher(uri).matches()) {
            return absoluteForm(req, uri);
        }
        return Refusal.badRequest("This request's target is not a path.", "Send a path starting with /, like GET /index.html.");
    }

    /** Whether the head passes {@link #check} (which it may rewrite to origin-form); the h2c upgrade asks first. */
    public static boolean passes(HttpRequest req) {
        return check(req) == null;
    }

    /** Whether a head that passed {@link #check} is routed or answered by the relay. */
    static Verdict verdict(HttpRequest req) {
        return req.uri().equals("*") ? Verdict.SERVER_OPTIONS : Verdict.ROUTE;
    }

    private static Refusal absoluteForm(HttpRequest req, String uri) {
        int colon = uri.indexOf("://");
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Refusal.badRequest("This relay serves http and https URLs, not " + scheme + ".", null);
        }
        int start = colon + 3;
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        String authority = uri.substring(start, end);
        if (authority.isEmpty() || authority.contains("@") || !HOST.matcher(authority).matches()
                || authority.startsWith(":")) {
            return Refusal.badRequest("The URL in this request's target has no usable host (user names are not allowed).",
                    "Send a path starting with /, and the host in Host.");
        }
        String rest = uri.substring(end);
        if (rest.startsWith("#")) {
            rest = "";
        }
        req.setUri(rest.startsWith("/") ? rest : "/" + rest);
        req.headers().set(HttpHeaderNames.HOST, authority);
        return null;
    }
}
