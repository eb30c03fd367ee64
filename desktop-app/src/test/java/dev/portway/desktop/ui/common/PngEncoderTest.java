package dev.portway.desktop.ui.common;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PngEncoderTest {
    @Test
    void anOpaqueImageIsWrittenAsRgbAndReadsBackEveryPixel() throws IOException {
        int w = 9;
        int h = 4;
        int[] argb = new int[w * h];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = 0xff000000 | (i * 11 % 256) << 16 | (i * 5 % 256) << 8 | (i * 3 % 256);
        }
        byte[] png = PngEncoder.encode(w, h, argb);
        assertThat(png[25]).as("colour type in IHDR: RGB").isEqualTo((byte) 2);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                assertThat(img.getRGB(x, y)).as("pixel %d,%d", x, y).isEqualTo(argb[y * w + x]);
            }
        }
    }

    @Test
    void anotherDecoderReadsBackEveryPixelWithAlpha() throws IOException {
        int w = 7;
        int h = 3;
        int[] argb = new int[w * h];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = (i * 37 % 256) << 24 | (i * 11 % 256) << 16 | (i * 5 % 256) << 8 | (i * 3 % 256);
        }
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(PngEncoder.encode(w, h, argb)));
        assertThat(img.getWidth()).isEqualTo(w);
        assertThat(img.getHeight()).isEqualTo(h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                assertThat(img.getRGB(x, y)).as("pixel %d,%d", x, y).isEqualTo(argb[y * w + x]);
            }
        }
    }

    @Test
    void tooFewPixelsIsRefused() {
        assertThatThrownBy(() -> PngEncoder.encode(2, 2, new int[3])).isInstanceOf(IllegalArgumentException.class);
    }
}
