package dev.portway.desktop.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** nginx serving static files: curl gets the same status, headers and bytes through the tunnel as directly. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StaticFilesIT {
    private static final Pattern BOUNDARY = Pattern.compile("boundary=(\\S+)");

    @TempDir
    static Path dir;
    private NginxApp nginx;
    private Stack stack;
    private Curl curl;
    private String host;

    @BeforeAll
    void start() throws Exception {
        nginx = new NginxApp(dir);
        stack = Stack.start(Map.of("site", nginx.port()));
        curl = new Curl(dir);
        host = stack.host("site");
    }

    @AfterAll
    void stop() throws Exception {
        stack.close();
        nginx.close();
    }

    private HttpMessage same(String what, String path, String... options) throws Exception {
        Curl.Result direct = curl.at(nginx.port(), host, path, options);
        Curl.Result tunnel = curl.at(stack.relayPort(), host, path, options);
        assertThat(direct.exit()).as("curl direct: %s", direct.stderr()).isZero();
        assertThat(tunnel.exit()).as("curl through the tunnel: %s", tunnel.stderr()).isZero();
        Diff.assertSame(what, direct.last(), tunnel.last());
        return tunnel.last();
    }

    @Test
    void pageIsServedAsDirect() throws Exception {
        assertThat(same("GET /page.html", "/page.html").status()).isEqualTo(200);
    }

    @Test
    void singleRangeIs206WithTheSameBytes() throws Exception {
        HttpMessage r = same("Range: bytes=100-1099", "/data.bin", "-H", "Range: bytes=100-1099");
        assertThat(r.status()).isEqualTo(206);
        assertThat(r.body()).hasSize(1000);
    }

    @Test
    void multipleRangesAre206MultipartWithTheSameParts() throws Exception {
        String[] range = {"-H", "Range: bytes=0-9,1000-1009,60000-"};
        Curl.Result direct = curl.at(nginx.port(), host, "/data.bin", range);
        Curl.Result tunnel = curl.at(stack.relayPort(), host, "/data.bin", range);
        assertThat(tunnel.exit()).as("curl through the tunnel: %s", tunnel.stderr()).isZero();
        // nginx numbers its multipart boundaries per response; everything else must be the same.
        Diff.assertSame("multi-range", withoutBoundary(direct.last()), withoutBoundary(tunnel.last()));
        assertThat(tunnel.last().status()).isEqualTo(206);
        assertThat(tunnel.last().header("Content-Type")).startsWith("multipart/byteranges");
    }

    private static HttpMessage withoutBoundary(HttpMessage m) {
        Matcher b = BOUNDARY.matcher(String.valueOf(m.header("Content-Type")));
        if (!b.find()) {
            return m;
        }
        String boundary = b.group(1);
        List<HttpMessage.Header> headers = new ArrayList<>();
        for (HttpMessage.Header h : m.headers()) {
            headers.add(new HttpMessage.Header(h.name(), h.value().replace(boundary, "BOUNDARY")));
        }
        byte[] body = new String(m.body(), StandardCharsets.ISO_8859_1).replace(boundary, "BOUNDARY").getBytes(StandardCharsets.ISO_8859_1);
        return new HttpMessage(m.startLine(), headers, body);
    }

    @Test
    void noContentIs204WithoutBody() throws Exception {
        HttpMessage r = same("GET /empty", "/empty");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void ifModifiedSinceGives304() throws Exception {
        HttpMessage r = same("If-Modified-Since", "/page.html", "-H", "If-Modified-Since: Fri, 02 Jan 2026 03:04:05 GMT");
        assertThat(r.status()).isEqualTo(304);
    }

    @Test
    void ifNoneMatchWithTheEtagGives304() throws Exception {
        String etag = curl.at(nginx.port(), host, "/page.html").last().header("ETag");
        assertThat(etag).as("nginx's ETag").isNotNull();
        HttpMessage r = same("If-None-Match", "/page.html", "-H", "If-None-Match: " + etag);
        assertThat(r.status()).isEqualTo(304);
    }

    @Test
    void headHasTheSameHeadersAndNoBody() throws Exception {
        Curl.Result direct = curl.at(nginx.port(), host, "/data.bin", "-I");
        Curl.Result tunnel = curl.at(stack.relayPort(), host, "/data.bin", "-I");
        assertThat(tunnel.exit()).as("curl -I through the tunnel: %s", tunnel.stderr()).isZero();
        // curl -I writes the head to its output file too: compare the heads alone.
        Diff.assertSame("HEAD /data.bin", direct.heads().getLast(), tunnel.heads().getLast());
        assertThat(tunnel.heads().getLast().header("Content-Length")).isEqualTo(String.valueOf(64 * 1024));
        // On one connection, the answer after a HEAD must start right after the HEAD's head: no body in between.
        String request = "HEAD /data.bin HTTP/1.1\r\nHost: " + host + "\r\n\r\nGET /page.html HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\n\r\n";
        List<HttpMessage> answers = RawHttp.exchange(stack.relayPort(), request, "HEAD", "GET");
        assertThat(answers).hasSize(2);
        assertThat(answers.get(1).status()).isEqualTo(200);
        assertThat(answers.get(1).bodyText()).contains("Served by nginx");
    }

    @Test
    void gzipPrecompressedBytesAreIdenticalToDirect() throws Exception {
        HttpMessage r = same("Accept-Encoding: gzip", "/data.json", "--raw", "-H", "Accept-Encoding: gzip");
        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.body()).isEqualTo(Files.readAllBytes(nginx.www.resolve("data.json.gz")));
    }
}
