package dev.portway.desktop.engine.share;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The HTML listing of one directory of a shared folder: names escaped, links relative (so they work under
 * {@code /t/NAME/} too) and percent-encoded, entries whose real path leaves the folder left out. Bounded: at most
 * {@link #MAX_ENTRIES} entries are read.
 */
final class Listing {
    static final int MAX_ENTRIES = 5_000;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private record Entry(String name, boolean dir, long size, long modified) {
    }

    private Listing() {
    }

    static byte[] html(Path root, Path dir, String shownPath) throws IOException {
        List<Entry> entries = new ArrayList<>();
        boolean more = false;
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                if (entries.size() == MAX_ENTRIES) {
                    more = true;
                    break;
                }
                if (SharePath.hidden(child.getFileName().toString())) {
                    continue; // not served either
                }
                Path real;
                try {
                    real = child.toRealPath();
                } catch (IOException e) {
                    continue; // a dangling link
                }
                if (!real.startsWith(root)) {
                    continue; // a link out of the folder: not shown, and not served
                }
                BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
                entries.add(new Entry(child.getFileName().toString(), a.isDirectory(), a.size(), a.lastModifiedTime().toMillis()));
            }
        }
        entries.sort(Comparator.comparing((Entry e) -> !e.dir()).thenComparing(Entry::name, String.CASE_INSENSITIVE_ORDER));
        StringBuilder h = new StringBuilder(4096);
        String title = "Index of " + escape(shownPath);
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(title)
                .append("</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
                        + "td{padding:0 1rem 0 0}td.n{text-align:right}a{text-decoration:none}</style></head><body><h1>")
                .append(title).append("</h1><table>");
        if (!dir.equals(root)) {
            h.append("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>");
        }
        for (Entry e : entries) {
            String link = SharePath.encode(e.name()) + (e.dir() ? "/" : "");
            h.append("<tr><td><a href=\"").append(link).append("\">").append(escape(e.name())).append(e.dir() ? "/" : "")
                    .append("</a></td><td class=\"n\">").append(e.dir() ? "" : Long.toString(e.size()))
                    .append("</td><td>").append(TIME.format(java.time.Instant.ofEpochMilli(e.modified()))).append("</td></tr>");
        }
        h.append("</table>");
        if (more) {
            h.append("<p>… and more: only the first ").append(MAX_ENTRIES).append(" entries are listed.</p>");
        }
        h.append("</body></html>");
        return h.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
