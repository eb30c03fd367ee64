package dev.portway.desktop.ui.share;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.LuminanceSource;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The QR code of a URL reads back as that URL (ZXing's own decoder, as a phone's camera would). */
class QrCodeTest {
    /** The code drawn as pixels, {@code scale} px a module, the way the view draws it. */
    private static String decode(QrCode code, int scale) throws Exception {
        int n = code.size() * scale;
        int[] pixels = new int[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                pixels[y * n + x] = code.dark(x / scale, y / scale) ? 0xff000000 : 0xffffffff;
            }
        }
        LuminanceSource source = new RGBLuminanceSource(n, n, pixels);
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source))).getText();
    }

    @Test
    void aUrlReadsBackFromItsCode() throws Exception {
        String url = "http://192.168.1.23:41877/orders?id=42&who=zoë";
        QrCode code = QrCode.of(url);
        assertThat(code.size()).isGreaterThan(21);
        assertThat(decode(code, 4)).isEqualTo(url);
    }

    @Test
    void noUrlOrOneTooLongGetsAMessageNotACode() {
        assertThatThrownBy(() -> QrCode.of(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connect the profile first");
        assertThatThrownBy(() -> QrCode.of("http://x/" + "a".repeat(QrCode.MAX_LENGTH))).hasMessageContaining("too long");
    }

    @Test
    void aLocalhostUrlSaysAPhoneCannotOpenIt() {
        assertThat(ShareDialog.reachNote("http://my-app.localhost:8080/")).contains("this computer only");
        assertThat(ShareDialog.reachNote("http://127.0.0.1:8080/")).contains("this computer only");
        assertThat(ShareDialog.reachNote("https://my-app.example.com/")).isEmpty();
        assertThat(ShareDialog.reachNote("http://192.168.1.23:41877/")).isEmpty();
    }

    @Test
    void anEmbeddedRelayUrlIsServedOnLoopbackByItsHost() {
        var t = ShareDialog.embeddedTarget("http://shop.localhost:8080/").orElseThrow();
        assertThat(t.relay().getAddress().isLoopbackAddress()).isTrue();
        assertThat(t.relay().getPort()).isEqualTo(8080);
        assertThat(t.host()).isEqualTo("shop.localhost:8080");
        assertThat(ShareDialog.embeddedTarget("https://shop.example.com/")).isEmpty();
    }
}
