package dev.portway.desktop.ui.inspector;

import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.stream.HopByHop;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request to send again to the local target: the captured one as sent, or as a person edited it.
 *
 * @param path    the request target, starting with {@code /}
 * @param headers end-to-end headers to send, in order, with the request's own {@code Host}; {@code Content-Length} is
 *                set by the sender (and {@code Host} when there is none)
 */
public record ReplayRequest(String method, String path, List<Header> headers, byte[] body) {
    public ReplayRequest {
        headers = List.copyOf(headers);
    }

    /** Why {@code x} cannot be replayed exactly as sent, or null when it can. */
    public static String whyNotAsSent(Exchange x) {
        if (!x.captured()) {
            return x.event().method().equals("TCP") ? "A TCP connection cannot be replayed."
                    : "Nothing was captured of this request, so it cannot be replayed.";
        }
        long declared = declaredLength(x.capture());
        if (declared > x.capture().requestBody().size()) {
            return "Only " + BodyText.size(x.capture().requestBody().size()) + " of the request body's " + BodyText.size(declared)
                    + " reached the local app, so it cannot be replayed as sent — use Edit and replay.";
        }
        if (x.capture().requestBody().truncated()) {
            CapturedExchange c = x.capture();
            return c.requestBody().bytes().length == 0
                    ? "The request body (" + BodyText.size(c.requestBody().size()) + ") was not captured, so it cannot be replayed as sent"
                    + " — use Edit and replay to give it a body."
                    : "The request body was truncated at " + BodyText.size(c.requestBody().bytes().length) + " of "
                    + BodyText.size(c.requestBody().size()) + ", so it cannot be replayed as sent — use Edit and replay.";
        }
        return null;
    }

    /** The request's Content-Length, or -1 when it has none or it is not a number. */
    private static long declaredLength(CapturedExchange c) {
        String v = CapturedExchange.header(c.requestHeaders(), "Content-Length");
        try {
            return v == null ? -1 : Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The captured request as it was sent; call only when {@link #whyNotAsSent} is null. */
    public static ReplayRequest asSent(Exchange x) {
        CapturedExchange c = x.capture();
        return new ReplayRequest(x.event().method(), x.event().path(), sendable(c.requestHeaders()), c.requestBody().bytes());
    }

    /**
     * The headers worth sending again, in order: without hop-by-hop ones, Content-Length and Portway's own; the original
     * Host stays (the replay reaches the app as the request did; the profile's host rewrite applies when sending).
     */
    static List<Header> sendable(List<Header> headers) {
        List<Header> out = new ArrayList<>(headers.size());
        for (Header h : HopByHop.strip(headers)) {
            String n = h.name().toLowerCase(Locale.ROOT);
            if (!CurlCommand.LEFT_OUT.contains(n) || n.startsWith("x-forwarded-") || n.equals("host")) {
                out.add(h);
            }
        }
        return out;
    }
}
