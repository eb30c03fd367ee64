package dev.portway.desktop.engine.share;

/**
 * A single byte range of a file (RFC 9110 §14). Stateless parsing.
 *
 * @param start first byte
 * @param length bytes from {@code start}
 */
record ByteRange(long start, long length) {
    /** What a Range header asks of a file of {@code size} bytes. */
    sealed interface Ask {
        /** No Range, a malformed one, several ranges, or another unit: the whole file (a server may ignore Range). */
        record Whole() implements Ask {
        }

        record Part(ByteRange range) implements Ask {
        }

        /** Well-formed but outside the file: 416. */
        record Unsatisfiable() implements Ask {
        }
    }

    static Ask of(String header, long size) {
        if (header == null) {
            return new Ask.Whole();
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6) || h.indexOf(',') >= 0) {
            return new Ask.Whole();
        }
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Ask.Whole();
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        Long first = number(a);
        Long last = number(b);
        if (a.isEmpty()) {
            if (last == null) {
                return new Ask.Whole();
            }
            if (last == 0 || size == 0) {
                return new Ask.Unsatisfiable();
            }
            long n = Math.min(last, size);
            return new Ask.Part(new ByteRange(size - n, n));
        }
        if (first == null || !b.isEmpty() && (last == null || last < first)) {
            return new Ask.Whole();
        }
        if (first >= size) {
            return new Ask.Unsatisfiable();
        }
        long end = b.isEmpty() ? size - 1 : Math.min(last, size - 1);
        return new Ask.Part(new ByteRange(first, end - first + 1));
    }

    private static Long number(String s) {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return Long.parseLong(s);
    }

    /** {@code bytes 0-99/1234}. */
    String contentRange(long size) {
        return "bytes " + start + "-" + (start + length - 1) + "/" + size;
    }
}
