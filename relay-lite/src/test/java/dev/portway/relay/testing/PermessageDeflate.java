package dev.portway.relay.testing;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.Deflater;

/** Compresses as a permessage-deflate sender does (RFC 7692 §7.2.1), for tests that play a hostile peer by hand. */
public final class PermessageDeflate {
    private PermessageDeflate() {
    }

    /** The raw DEFLATE of {@code data}: sync-flushed, without the 00 00 ff ff tail, at the best compression. */
    public static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length);
        d.end();
        byte[] all = out.toByteArray();
        return Arrays.copyOf(all, all.length - 4);
    }
}
