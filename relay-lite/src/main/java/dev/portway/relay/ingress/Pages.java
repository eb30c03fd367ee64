package dev.portway.relay.ingress;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/** The small pages the relay serves itself (errors, landing). Everything dynamic is HTML-escaped. */
final class Pages {
    private Pages() {
    }

    static FullHttpResponse page(HttpResponseStatus status, String title, String message, String hint) {
        String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + " · Portway</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;"
                + "padding:0 1rem;color:#222}h1{font-size:1.4rem}p.hint{color:#666}code{background:#f3f3f3;padding:0 .2em}"
                + "</style></head><body><h1>" + escape(title) + "</h1><p>" + escape(message) + "</p>"
                + (hint == null ? "" : "<p class=\"hint\">" + escape(hint) + "</p>")
                + "<p class=\"hint\">Served by the Portway relay (" + status.code() + ").</p></body></html>";
        FullHttpResponse r = full(status, html.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8");
        HttpHeaders h = r.headers();
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        return r;
    }

    static FullHttpResponse text(byte[] body, String contentType) {
        FullHttpResponse r = full(HttpResponseStatus.OK, body, contentType);
        r.headers().set("X-Content-Type-Options", "nosniff");
        return r;
    }

    static FullHttpResponse json(byte[] body) {
        return json(HttpResponseStatus.OK, body);
    }

    static FullHttpResponse json(HttpResponseStatus status, byte[] body) {
        FullHttpResponse r = full(status, body, "application/json");
        r.headers().set("X-Content-Type-Options", "nosniff");
        return r;
    }

    private static FullHttpResponse full(HttpResponseStatus status, byte[] body, String type) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set("Content-Type", type);
        r.headers().set("Content-Length", body.length);
        r.headers().set("Cache-Control", "no-store");
        return r;
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
