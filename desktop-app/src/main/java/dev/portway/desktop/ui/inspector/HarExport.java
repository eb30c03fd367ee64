package dev.portway.desktop.ui.inspector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.ui.live.RequestRow;
import dev.portway.shared.protocol.Header;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;

/**
 * "Export as HAR": the inspector's requests as an HTTP Archive 1.2 file, which browsers' developer tools, Postman
 * and HAR viewers open. Bodies are what the capture kept: a text body goes as text, a binary one as base64, and one
 * cut by the capture says so in the entry's {@code comment}. Requests that never got a response from the local app
 * carry the status the visitor got from the relay (502, 503, 504) with the reason in {@code comment}.
 * Pure; any thread.
 */
public final class HarExport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HarExport() {
    }

    /**
     * @param oldestFirst the requests in the order they came
     * @param fallbackBase the URL base for a request whose capture names no host (the local target, {@code http://localhost:3000})
     */
    public static ObjectNode har(List<Exchange> oldestFirst, String fallbackBase, String creatorVersion) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode log = root.putObject("log");
        log.put("version", "1.2");
        log.putObject("creator").put("name", "Portway").put("version", creatorVersion);
        ArrayNode entries = log.putArray("entries");
        for (Exchange x : oldestFirst) {
            entries.add(entry(x, fallbackBase));
        }
        return root;
    }

    /** Writes the archive to {@code file} whole or not at all (a temporary file next to it, then a move). */
    public static void write(Path file, List<Exchange> oldestFirst, String fallbackBase, String creatorVersion) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, ".portway-har", ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                JSON.writeValue(out, har(oldestFirst, fallbackBase, creatorVersion));
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static ObjectNode entry(Exchange x, String fallbackBase) {
        RequestEvent e = x.event();
        CapturedExchange c = x.capture();
        String base = CurlCommand.publicBase(c);
        String url = (base == null ? fallbackBase : base) + e.path();
        double ms = e.duration() == null ? 0 : e.duration().toNanos() / 1e6;
        ObjectNode entry = JSON.createObjectNode();
        entry.put("startedDateTime", e.time().toString());
        entry.put("time", ms);

        ObjectNode req = entry.putObject("request");
        req.put("method", e.method());
        req.put("url", url);
        req.put("httpVersion", "HTTP/1.1");
        req.putArray("cookies");
        headers(req.putArray("headers"), c.requestHeaders());
        query(req.putArray("queryString"), e.path());
        if (c.requestBody().size() > 0) {
            ObjectNode post = req.putObject("postData");
            post.put("mimeType", mime(c.requestHeaders()));
            post.put("text", text(c.requestBody(), c.requestHeaders()));
        }
        req.put("headersSize", -1);
        req.put("bodySize", e.bytesIn());

        int status = RequestRow.visitorStatus(e);
        ObjectNode res = entry.putObject("response");
        res.put("status", status);
        res.put("statusText", c.reason());
        res.put("httpVersion", "HTTP/1.1");
        res.putArray("cookies");
        headers(res.putArray("headers"), c.responseHeaders());
        ObjectNode content = res.putObject("content");
        content.put("size", c.responseBody().size());
        content.put("mimeType", mime(c.responseHeaders()));
        if (c.responseBody().bytes().length > 0) {
            String decoded = BodyText.decode(c.responseBody().bytes(), BodyText.charset(c.responseHeaders()), c.responseBody().truncated());
            if (decoded == null || BodyText.looksBinary(decoded)) {
                content.put("text", Base64.getEncoder().encodeToString(c.responseBody().bytes()));
                content.put("encoding", "base64");
            } else {
                content.put("text", decoded);
            }
        }
        res.put("redirectURL", nonNull(Exchange.header(c.responseHeaders(), "Location")));
        res.put("headersSize", -1);
        res.put("bodySize", e.bytesOut());

        entry.putObject("cache");
        ObjectNode timings = entry.putObject("timings");
        timings.put("send", 0);
        timings.put("wait", ms);
        timings.put("receive", 0);
        String comment = comment(x);
        if (!comment.isEmpty()) {
            entry.put("comment", comment);
        }
        return entry;
    }

    private static String comment(Exchange x) {
        StringBuilder b = new StringBuilder();
        if (x.replay()) {
            b.append("Replayed by Portway straight to the local target. ");
        }
        if (x.event().error() != null) {
            b.append("Failed (").append(x.event().error().wireName()).append("): ").append(nonNull(x.event().errorMessage())).append(' ');
        }
        CapturedExchange c = x.capture();
        if (c.requestBody().truncated()) {
            b.append("Request body cut by the capture: ").append(BodyText.note(c.requestBody())).append(". ");
        }
        if (c.responseBody().truncated()) {
            b.append("Response body cut by the capture: ").append(BodyText.note(c.responseBody())).append(". ");
        }
        return b.toString().strip();
    }

    private static void headers(ArrayNode out, List<Header> headers) {
        for (Header h : headers) {
            out.addObject().put("name", h.name()).put("value", h.value());
        }
    }

    private static void query(ArrayNode out, String path) {
        int q = path.indexOf('?');
        if (q < 0) {
            return;
        }
        for (String pair : path.substring(q + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            out.addObject().put("name", decode(name)).put("value", decode(value));
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a stray % — keep it as it came
        }
    }

    private static String text(CapturedBody body, List<Header> headers) {
        String decoded = BodyText.decode(body.bytes(), BodyText.charset(headers), body.truncated());
        return decoded == null ? Base64.getEncoder().encodeToString(body.bytes()) : decoded;
    }

    private static String mime(List<Header> headers) {
        return nonNull(Exchange.header(headers, "Content-Type"));
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
