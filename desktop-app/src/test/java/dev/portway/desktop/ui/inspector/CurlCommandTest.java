package dev.portway.desktop.ui.inspector;

import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class CurlCommandTest {
    private static CapturedExchange exchange(List<Header> headers, CapturedBody body) {
        return new CapturedExchange(headers, body, "OK", List.of(), CapturedBody.EMPTY);
    }

    private static CapturedBody text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new CapturedBody(b, b.length);
    }

    @Test
    void getWithoutBodyIsTheUrlAndItsEndToEndHeaders() {
        CapturedExchange x = exchange(List.of(new Header("Host", "my-app.localhost:8080"), new Header("Accept", "*/*"),
                new Header("X-Forwarded-For", "10.0.0.1"), new Header("X-Forwarded-Proto", "https"),
                new Header("X-Forwarded-Host", "my-app.example.com"), new Header("Portway-Request-Id", "r1"),
                new Header("Connection", "keep-alive")), CapturedBody.EMPTY);
        assertThat(CurlCommand.publicBase(x)).isEqualTo("https://my-app.example.com");
        assertThat(CurlCommand.of("GET", "/a?b=1", x, "https://my-app.example.com/"))
                .isEqualTo("curl 'https://my-app.example.com/a?b=1' \\\n  -H 'Accept: */*'");
    }

    @Test
    void fieldsThatConnectionNamesAreHopByHopTooAndLeftOut() {
        CapturedExchange x = exchange(List.of(new Header("Accept", "*/*"), new Header("Connection", "close, X-Hop"),
                new Header("X-Hop", "1"), new Header("te", "trailers"), new Header("X-End", "2")), CapturedBody.EMPTY);
        assertThat(CurlCommand.of("GET", "/", x, "http://localhost:3000"))
                .isEqualTo("curl 'http://localhost:3000/' \\\n  -H 'Accept: */*' \\\n  -H 'X-End: 2'");
    }

    @Test
    void singleQuotesNewlinesDollarsAndUnicodeAreQuotedForTheShell() {
        String body = "{\"msg\":\"it's $HOME `id` \\\\ \"}\nline two: café ☕ 日本";
        CapturedExchange x = exchange(List.of(new Header("Content-Type", "application/json"), new Header("X-Note", "O'Brien")), text(body));
        String cmd = CurlCommand.of("PUT", "/items/it's", x, "http://localhost:3000");
        assertThat(cmd).isEqualTo("curl 'http://localhost:3000/items/it'\\''s' \\\n  -X 'PUT' \\\n  -H 'Content-Type: application/json' \\\n"
                + "  -H 'X-Note: O'\\''Brien' \\\n  --data-binary '{\"msg\":\"it'\\''s $HOME `id` \\\\ \"}\nline two: café ☕ 日本'");
    }

    @Test
    void postWithBodyNeedsNoMethodFlagAndEmptyHeaderValueUsesSemicolon() {
        CapturedExchange x = exchange(List.of(new Header("X-Empty", ""), new Header("Content-Length", "2")), text("{}"));
        assertThat(CurlCommand.of("POST", "/", x, "http://h")).isEqualTo("curl 'http://h/' \\\n  -H 'X-Empty;' \\\n  --data-binary '{}'");
    }

    @Test
    void truncatedAndBinaryBodiesAreLeftOutWithAComment() {
        CapturedExchange cut = exchange(List.of(), new CapturedBody(new byte[]{'a', 'b'}, 70_000));
        assertThat(CurlCommand.of("POST", "/up", cut, "http://h"))
                .startsWith("# The request body (68.4 KiB) is left out: only its first 2 bytes were captured.\ncurl 'http://h/up'")
                .contains("-X 'POST'").doesNotContain("--data-binary");
        CapturedExchange binary = exchange(List.of(), new CapturedBody(new byte[]{0, 1, 2, (byte) 0xff}, 4));
        assertThat(CurlCommand.of("POST", "/bin", binary, "http://h"))
                .startsWith("# The request body (4 bytes of binary data) is left out: save it to a file and add --data-binary @FILE.\n")
                .doesNotContain("--data-binary '");
    }

    @Test
    void headUsesHeadFlag() {
        assertThat(CurlCommand.of("HEAD", "/", exchange(List.of(), CapturedBody.EMPTY), "http://h")).isEqualTo("curl 'http://h/' \\\n  --head");
    }

    /** The real shell parses the command into exactly the arguments we meant (curl replaced by printf). */
    @Test
    void aRealShellSeesTheExactArguments() throws IOException, InterruptedException {
        String body = "it's \"quoted\" $PATH `x` \\n\nnew line ünïcödé";
        CapturedExchange x = exchange(List.of(new Header("X-Quote", "a'b\"c")), text(body));
        String cmd = CurlCommand.of("PATCH", "/p?q='1'", x, "http://localhost:3000");
        Path script = Files.createTempFile("curl", ".sh");
        try {
            Files.writeString(script, "curl() { for a in \"$@\"; do printf '%s\\0' \"$a\"; done; }\n" + cmd + "\n");
            Process p = new ProcessBuilder("sh", script.toString()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            List<String> args = new ArrayList<>(List.of(new String(out, StandardCharsets.UTF_8).split("\0")));
            assertThat(args).containsExactly("http://localhost:3000/p?q='1'", "-X", "PATCH", "-H", "X-Quote: a'b\"c", "--data-binary", body);
        } finally {
            Files.delete(script);
        }
    }
}
