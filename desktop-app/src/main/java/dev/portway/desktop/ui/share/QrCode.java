package dev.portway.desktop.ui.share;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;

import java.util.Map;

/**
 * A QR code of a URL, as modules (dark or light squares) with the quiet zone phone cameras need around them.
 * Made with ZXing; pure, any thread.
 */
public final class QrCode {
    /** Longer text makes a code too dense to scan from a screen at the size the app shows it. */
    public static final int MAX_LENGTH = 1000;
    private static final int QUIET_ZONE = 4;

    private final BitMatrix matrix;

    private QrCode(BitMatrix matrix) {
        this.matrix = matrix;
    }

    /**
     * @throws IllegalArgumentException with a message for a person when the text is empty or too long for a code
     */
    public static QrCode of(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("There is no URL to show as a QR code yet — connect the profile first.");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("The URL is longer than " + MAX_LENGTH + " characters: too long for a QR code a phone can read.");
        }
        try {
            // Size 0: ZXing picks the smallest matrix; one module per unit, scaled when drawn.
            BitMatrix m = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0, Map.of(
                    EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M,
                    EncodeHintType.MARGIN, QUIET_ZONE,
                    EncodeHintType.CHARACTER_SET, "UTF-8"));
            return new QrCode(m);
        } catch (WriterException e) {
            throw new IllegalArgumentException("Cannot make a QR code of this URL: " + e.getMessage(), e);
        }
    }

    /** Modules across (and down), the quiet zone included. */
    public int size() {
        return matrix.getWidth();
    }

    /** Whether the module at column {@code x}, row {@code y} is dark. */
    public boolean dark(int x, int y) {
        return matrix.get(x, y);
    }
}
