package dev.portway.desktop.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Headless Chromium loads a page from the local app through the tunnel; the page's script does a fetch() and a
 * WebSocket echo and writes the results into the DOM, which {@code --dump-dom} prints (at the page's load event, which
 * the page holds until its script is done; see browser-page.html).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserIT {
    private static final Pattern RESULT = Pattern.compile("<pre id=\"result\">(.*?)</pre>", Pattern.DOTALL);

    @TempDir
    static Path dir;
    private WebApp app;
    private Stack stack;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Tools.has("chromium"), "chromium is not installed: apt-get install chromium (.ci/run installs it)");
        app = new WebApp();
        stack = Stack.start(Map.of("web", app.port()));
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
        if (app != null) {
            app.close();
        }
    }

    private String pageResult(String url, String profile) throws Exception {
        Process p = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--user-data-dir=" + dir.resolve(profile), "--dump-dom", url)
                .redirectError(dir.resolve(profile + ".log").toFile()).start();
        p.getOutputStream().close();
        byte[] dom = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 60 s");
        }
        Matcher m = RESULT.matcher(new String(dom, StandardCharsets.UTF_8));
        assertThat(m.find()).as("the page's result in Chromium's DOM: %s", new String(dom, StandardCharsets.UTF_8)).isTrue();
        return m.group(1).replace("&quot;", "\"").replace("&amp;", "&");
    }

    @Test
    void pageFetchAndWebSocketWorkThroughTheTunnelAsDirect() throws Exception {
        String direct = pageResult("http://127.0.0.1:" + app.port() + "/", "direct");
        assertThat(direct).as("sanity: the page direct from the app").contains("\"fetchStatus\":200").doesNotContain("Error");
        String tunnel = pageResult("http://" + stack.host("web") + "/", "tunnel");
        assertThat(tunnel).as("page result through the tunnel (actual) vs direct (expected)").isEqualTo(direct);
        assertThat(tunnel).contains("\"hello\":\"from the local app\"", "\"messages\":[\"ping ✓\",\"0,1,2,254,255\"]",
                "\"closeCode\":4001", "\"closeReason\":\"done\"");
    }
}
