package dev.portway.desktop.ui.common;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes 8-bit PNG files (PNG spec, ISO/IEC 15948), RGB when every pixel is opaque and RGBA otherwise: signature,
 * IHDR, one zlib IDAT with filter type 1 (Sub) on every row, IEND. Enough for screenshots without AWT or javafx.swing. Thread-safe (stateless).
 */
public final class PngEncoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private PngEncoder() {
    }

    /** @param argb {@code width * height} pixels, row by row, as {@code 0xAARRGGBB} */
    public static byte[] encode(int width, int height, int[] argb) {
        if (width <= 0 || height <= 0 || argb.length < width * height) {
            throw new IllegalArgumentException("need " + width + "x" + height + " pixels, got " + argb.length);
        }
        boolean opaque = true; // a window's snapshot is: RGB then, a quarter fewer bytes than RGBA
        for (int i = 0; i < width * height && opaque; i++) {
            opaque = argb[i] >>> 24 == 0xff;
        }
        int bpp = opaque ? 3 : 4;
        int stride = 1 + width * bpp;
        byte[] raw = new byte[height * stride];
        for (int y = 0; y < height; y++) {
            int row = y * stride;
            raw[row] = 1; // filter: Sub (each byte less the one a pixel before), far smaller for flat UI colours
            int o = row + 1;
            for (int x = 0; x < width; x++) {
                int p = argb[y * width + x];
                raw[o++] = (byte) (p >>> 16);
                raw[o++] = (byte) (p >>> 8);
                raw[o++] = (byte) p;
                if (!opaque) {
                    raw[o++] = (byte) (p >>> 24);
                }
            }
            for (int i = stride - 1; i > bpp; i--) {
                raw[row + i] -= raw[row + i - bpp];
            }
        }
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
        deflater.setInput(raw);
        deflater.finish();
        ByteArrayOutputStream idat = new ByteArrayOutputStream(raw.length / 4 + 64);
        byte[] buf = new byte[64 * 1024];
        while (!deflater.finished()) {
            idat.write(buf, 0, deflater.deflate(buf));
        }
        deflater.end();

        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) (opaque ? 2 : 6)).put((byte) 0).put((byte) 0).put((byte) 0); // 8 bit, RGB(A), deflate, filter 0, no interlace
        ByteArrayOutputStream out = new ByteArrayOutputStream(idat.size() + 64);
        out.writeBytes(SIGNATURE);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
