package dev.portway.desktop.ui.inspector;

import dev.portway.desktop.engine.CapturedBody;
import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BodyTextTest {
    private static List<Header> type(String t) {
        return List.of(new Header("Content-Type", t));
    }

    private static CapturedBody body(byte[] b) {
        return new CapturedBody(b, b.length);
    }

    @Test
    void jsonIsPrettyPrinted() {
        BodyText.Rendered r = BodyText.render(body("{\"a\":1,\"b\":[true,null]}".getBytes(StandardCharsets.UTF_8)),
                type("application/json; charset=utf-8"));
        assertThat(r.kind()).isEqualTo(BodyText.Kind.JSON);
        assertThat(r.text()).isEqualTo("{\n  \"a\" : 1,\n  \"b\" : [ true, null ]\n}".replace("\n", System.lineSeparator()));
        assertThat(r.note()).isEqualTo("23 bytes");
    }

    @Test
    void invalidJsonFallsBackToText() {
        BodyText.Rendered r = BodyText.render(body("{oops".getBytes(StandardCharsets.UTF_8)), type("application/problem+json"));
        assertThat(r.kind()).isEqualTo(BodyText.Kind.TEXT);
        assertThat(r.text()).isEqualTo("{oops");
    }

    @Test
    void textIsDecodedInItsCharset() {
        byte[] latin1 = "café".getBytes(StandardCharsets.ISO_8859_1);
        BodyText.Rendered r = BodyText.render(body(latin1), type("text/plain; charset=ISO-8859-1"));
        assertThat(r.kind()).isEqualTo(BodyText.Kind.TEXT);
        assertThat(r.text()).isEqualTo("café");
    }

    @Test
    void binaryIsAHexDump() {
        byte[] b = new byte[20];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i + 60);
        }
        b[0] = 0;
        BodyText.Rendered r = BodyText.render(body(b), type("application/octet-stream"));
        assertThat(r.kind()).isEqualTo(BodyText.Kind.BINARY);
        assertThat(r.text()).isEqualTo(
                "00000000  00 3d 3e 3f 40 41 42 43  44 45 46 47 48 49 4a 4b  .=>?@ABCDEFGHIJK\n"
                        + "00000010  4c 4d 4e 4f                                       LMNO\n");
    }

    @Test
    void truncatedBodySaysWhereItWasCutAndSurvivesASplitCharacter() {
        byte[] full = "ééééé".getBytes(StandardCharsets.UTF_8); // 10 bytes, 2 per é
        CapturedBody cut = new CapturedBody(Arrays.copyOf(full, 5), 65_536 * 3);
        BodyText.Rendered r = BodyText.render(cut, type("application/json"));
        assertThat(r.kind()).isEqualTo(BodyText.Kind.TEXT);
        assertThat(r.text()).isEqualTo("éé");
        assertThat(r.note()).isEqualTo("Truncated at 5 bytes of 192 KiB");
    }

    @Test
    void noBodyAndUncapturedBody() {
        assertThat(BodyText.render(CapturedBody.EMPTY, List.of()).note()).isEqualTo("No body");
        BodyText.Rendered off = BodyText.render(new CapturedBody(new byte[0], 2048), List.of());
        assertThat(off.kind()).isEqualTo(BodyText.Kind.NONE);
        assertThat(off.note()).isEqualTo("2 KiB — body not captured (capture is off)");
    }
}
