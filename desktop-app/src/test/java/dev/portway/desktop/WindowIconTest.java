package dev.portway.desktop;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The window icon ships inside the app's jar, in the sizes DesktopApp asks for (read without a toolkit). */
class WindowIconTest {
    @ParameterizedTest
    @ValueSource(ints = {16, 24, 32, 48, 64, 128, 256})
    void iconIsAPngOfItsSize(int size) throws IOException {
        try (InputStream in = DesktopApp.class.getResourceAsStream("ui/icons/portway-" + size + ".png")) {
            assertThat(in).as("ui/icons/portway-%d.png on the class path", size).isNotNull();
            DataInputStream data = new DataInputStream(in);
            byte[] signature = data.readNBytes(8);
            assertThat(signature).containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
            data.readInt(); // IHDR length
            assertThat(new String(data.readNBytes(4), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("IHDR");
            assertThat(data.readInt()).as("width").isEqualTo(size);
            assertThat(data.readInt()).as("height").isEqualTo(size);
        }
    }
}
