package dev.portway.desktop.engine.share;

import dev.portway.shared.protocol.Header;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers HTTP requests from a shared folder: files (MIME type, single byte ranges, ETag/Last-Modified with 304),
 * {@code index.html} for directories, an optional listing and SPA fallback, and nothing outside the folder — the
 * target is checked by {@link SharePath}, then the file's real path (symlinks resolved) must be below the folder's.
 * GET and HEAD only. Stateless apart from the share; safe from any thread.
 */
public final class FolderServer {
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private final FolderShare share;

    public FolderServer(FolderShare share) {
        this.share = share;
    }

    Answer answer(String method, String target, List<Header> headers) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            Answer a = page(405, "Method Not Allowed", "A shared folder answers GET and HEAD only.");
            List<Header> h = new ArrayList<>(a.headers());
            h.add(new Header("Allow", "GET, HEAD"));
            return new Answer(405, a.reason(), List.copyOf(h), a.bytes(), null, null);
        }
        Object parsed = SharePath.parse(target);
        if (parsed instanceof SharePath.Refusal r) {
            return r.status() == 400 ? page(400, "Bad Request", "This address cannot name a file in the shared folder ("
                    + r.reason() + ").") : notFound();
        }
        SharePath.Parsed p = (SharePath.Parsed) parsed;
        try {
            Path real = inside(share.root().resolve(String.join("/", p.segments())));
            if (real == null) {
                return fallback(p, headers);
            }
            if (Files.isDirectory(real)) {
                if (!p.trailingSlash() && !p.segments().isEmpty()) {
                    // Relative, so it works under /t/NAME/ as well: /docs -> docs/
                    int q = target.indexOf('?');
                    return redirect(p.segments().getLast() + "/" + (q < 0 ? "" : target.substring(q)));
                }
                Path index = inside(real.resolve("index.html"));
                if (index != null && Files.isRegularFile(index)) {
                    return file(index, headers);
                }
                if (share.listing()) {
                    String shown = "/" + String.join("/", p.segments()) + (p.segments().isEmpty() ? "" : "/");
                    return html(200, "OK", Listing.html(share.root(), real, shown));
                }
                return notFound();
            }
            return Files.isRegularFile(real) ? file(real, headers) : notFound();
        } catch (java.nio.file.AccessDeniedException e) {
            return page(403, "Forbidden", "This file in the shared folder cannot be read.");
        } catch (IOException | java.nio.file.InvalidPathException e) {
            return notFound();
        }
    }

    /** The real path of {@code p} when it exists and is below the shared folder, else null. */
    private Path inside(Path p) throws IOException {
        try {
            Path real = p.toRealPath();
            return real.startsWith(share.root()) ? real : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private Answer fallback(SharePath.Parsed p, List<Header> headers) throws IOException {
        if (share.spa() && (p.segments().isEmpty() || !p.segments().getLast().contains("."))) {
            Path index = inside(share.root().resolve(share.fallback()));
            if (index != null && Files.isRegularFile(index)) {
                return file(index, headers);
            }
        }
        return notFound();
    }

    private Answer file(Path file, List<Header> headers) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        long size = a.size();
        long modified = a.lastModifiedTime().toMillis();
        String etag = "\"" + Long.toHexString(size) + "-" + Long.toHexString(a.lastModifiedTime().toMillis()) + "\"";
        String lastModified = HTTP_DATE.format(Instant.ofEpochMilli(modified));
        List<Header> h = new ArrayList<>();
        h.add(new Header("ETag", etag));
        h.add(new Header("Last-Modified", lastModified));
        h.add(new Header("Cache-Control", "no-cache"));
        if (notModified(headers, etag, modified)) {
            return new Answer(304, "Not Modified", List.copyOf(h), null, null, null);
        }
        h.add(new Header("Accept-Ranges", "bytes"));
        h.add(new Header("Content-Type", MimeTypes.of(file.getFileName().toString())));
        h.add(new Header("X-Content-Type-Options", "nosniff"));
        String range = header(headers, "Range");
        String ifRange = header(headers, "If-Range");
        if (range != null && ifRange != null && !ifRange.trim().equals(etag) && !ifRange.trim().equals(lastModified)) {
            range = null; // the file changed since the visitor's copy: the whole file
        }
        ByteRange.Ask ask = ByteRange.of(range, size);
        return switch (ask) {
            case ByteRange.Ask.Unsatisfiable u -> {
                h.add(new Header("Content-Range", "bytes */" + size));
                byte[] body = "The requested range is outside the file.\n".getBytes(StandardCharsets.UTF_8);
                h.removeIf(x -> x.name().equals("Content-Type"));
                h.add(new Header("Content-Type", "text/plain; charset=utf-8"));
                h.add(new Header("Content-Length", Integer.toString(body.length)));
                yield new Answer(416, "Range Not Satisfiable", List.copyOf(h), body, null, null);
            }
            case ByteRange.Ask.Part part -> {
                h.add(new Header("Content-Range", part.range().contentRange(size)));
                h.add(new Header("Content-Length", Long.toString(part.range().length())));
                yield new Answer(206, "Partial Content", List.copyOf(h), null, file, part.range());
            }
            case ByteRange.Ask.Whole w -> {
                h.add(new Header("Content-Length", Long.toString(size)));
                yield new Answer(200, "OK", List.copyOf(h), null, file, new ByteRange(0, size));
            }
        };
    }

    /** If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2). */
    private static boolean notModified(List<Header> headers, String etag, long modifiedMillis) {
        String inm = header(headers, "If-None-Match");
        if (inm != null) {
            for (String tag : inm.split(",")) {
                String t = tag.trim();
                if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                    return true;
                }
            }
            return false;
        }
        String ims = header(headers, "If-Modified-Since");
        if (ims == null) {
            return false;
        }
        try {
            long since = ZonedDateTime.parse(ims.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
            return modifiedMillis / 1000 <= since;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String header(List<Header> headers, String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    private static Answer redirect(String location) {
        Answer a = page(301, "Moved Permanently", "This folder is at " + location + ".");
        List<Header> h = new ArrayList<>(a.headers());
        h.add(new Header("Location", location));
        return new Answer(301, a.reason(), List.copyOf(h), a.bytes(), null, null);
    }

    private static Answer notFound() {
        return page(404, "Not Found", "There is no such file in the shared folder.");
    }

    private static Answer page(int status, String reason, String text) {
        String body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + status + " " + reason
                + "</title></head><body><h1>" + reason + "</h1><p>" + Listing.escape(text) + "</p></body></html>";
        return html(status, reason, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Answer html(int status, String reason, byte[] body) {
        return new Answer(status, reason, List.of(new Header("Content-Type", "text/html; charset=utf-8"),
                new Header("Content-Length", Integer.toString(body.length)), new Header("X-Content-Type-Options", "nosniff"),
                new Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")), body, null, null);
    }
}
