package dev.portway.desktop.console;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.auth.Passwords;
import dev.portway.relay.console.ConsoleSettings;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.Role;
import dev.portway.relay.store.Tier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The relay's web console walked in a real browser (Selenium driving Debian's headless Chromium with
 * chromium-driver, installed by .ci/run) while the real desktop engine connects: an admin signs in, adds a
 * user, invites them and creates their token in the browser; a {@link TunnelEngine} connects with that token
 * and its tunnel shows on the live page within 2 s, with the visitor's request counted; the admin revokes the
 * token in the browser, the engine's session ends and the audit shows it; the user takes the invite, signs in
 * and sees only their own tunnel.
 */
class ConsoleEngineBrowserIT {
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final String ADMIN_PW = "admin password 1";

    @TempDir
    Path tmp;
    Relay relay;
    IdentityStore ids;
    HttpServer app;
    WebDriver browser;
    String base;
    final List<TunnelEngine> engines = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run installs them)");
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("relay-secret").tcpPortFrom(0).tcpPortTo(0)
                .grace(Duration.ofSeconds(1)).dataDir(tmp).console(new ConsoleSettings(0, "127.0.0.1")).build());
        ids = relay.store().identity();
        ids.addUser("root", Tier.ENTERPRISE, Role.ADMIN);
        ids.setPasswordHash("root", new Passwords(4).hash(ADMIN_PW));
        base = "http://127.0.0.1:" + relay.consolePort();
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/", ex -> {
            byte[] body = "hello from the app".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        app.start();
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--window-size=1280,800", "--user-data-dir=" + tmp.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, o);
        browser.manage().window().setSize(new Dimension(1280, 800));
    }

    @AfterEach
    void stop() {
        engines.forEach(TunnelEngine::close);
        if (browser != null) {
            browser.quit();
        }
        if (app != null) {
            app.stop(0);
        }
        if (relay != null) {
            relay.shutdown(Duration.ofMillis(200));
        }
    }

    /** A real engine serving one HTTP tunnel to the local app; waits until it is bound. */
    TunnelEngine engine(String token, String tunnel) {
        TunnelEngine e = new TunnelEngine(EngineConfig.of(URI.create(relay.connectUrl()), token,
                List.of(TunnelSpec.http(tunnel, app.getAddress().getPort()))), Runnable::run);
        engines.add(e);
        e.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !e.tunnels().isEmpty());
        return e;
    }

    /** Waits that retry when the page's script re-renders a table under them (the live page does every second). */
    WebDriverWait waiting(long seconds) {
        WebDriverWait w = new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(100));
        w.ignoring(StaleElementReferenceException.class);
        return w;
    }

    void signIn(String user, String password) {
        browser.get(base + "/login");
        browser.findElement(By.name("user")).sendKeys(user);
        browser.findElement(By.name("password")).sendKeys(password);
        browser.findElement(By.cssSelector("#login-form button")).click();
        waiting(10).until(d -> d.getCurrentUrl().endsWith("/overview") || d.getCurrentUrl().endsWith("/me"));
        waiting(10).ignoring(WebDriverException.class).until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), user));
    }

    void open(String page) {
        browser.get(base + page);
        waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "("));
    }

    String table(String id) {
        return waiting(5).until(d -> d.findElement(By.cssSelector("#" + id + " tbody")).getText());
    }

    WebElement rowWith(String table, String text) {
        return waiting(10).until(d -> d.findElements(By.cssSelector("#" + table + " tbody tr")).stream()
                .filter(r -> r.getText().contains(text)).findFirst().orElse(null));
    }

    @Test
    void anAdminGivesAUserATokenTheRealEngineConnectsShowsLiveIsRevokedAndTheUserSeesOnlyTheirOwn() throws Exception {
        signIn("root", ADMIN_PW);
        open("/users");
        browser.findElement(By.name("name")).sendKeys("erin");
        browser.findElement(By.cssSelector("#user-form button")).click();
        rowWith("users", "erin").findElements(By.tagName("button")).stream().filter(b -> b.getText().equals("Invite"))
                .findFirst().orElseThrow().click();
        String invite = waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("invite-link"))).getText();

        open("/tokens");
        WebElement user = browser.findElement(By.cssSelector("#token-form input[name=user]"));
        user.clear();
        user.sendKeys("erin");
        browser.findElement(By.name("label")).sendKeys("engine");
        browser.findElement(By.cssSelector("#token-form button")).click();
        String secret = waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("new-secret"))).getText();
        assertThat(secret).startsWith("pw_");

        ids.addUser("frank", Tier.FREE);
        engine(ids.createToken("frank", "x").secret(), "frank-app");
        open("/tunnels");
        TunnelEngine erin = engine(secret, "erin-app");
        long bound = System.nanoTime();
        rowWith("tunnels", "erin-app");
        long shownMs = (System.nanoTime() - bound) / 1_000_000;
        assertThat(shownMs).as("ms until the engine's tunnel showed on the live page").isLessThan(2000);
        System.out.println("console: the real engine's tunnel on the live page after " + shownMs + " ms");
        HttpResponse<String> visit = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + relay.port() + "/t/erin-app/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(visit.body()).isEqualTo("hello from the app");
        // The live page's traffic columns: one request, the app's 18 bytes out.
        waiting(10).until(d -> rowWith("tunnels", "erin-app").getText().contains("18 B"));

        open("/tokens");
        rowWith("tokens", "engine").findElement(By.xpath(".//button[text()='Revoke']")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> erin.status().state() == EngineState.FAILED);
        assertThat(erin.status().message()).contains("revoked");
        waiting(10).until(d -> table("tokens").contains("revoked"));
        open("/audit");
        waiting(10).until(d -> table("audit").contains("token_revoke"));
        open("/tunnels");
        waiting(10).until(d -> !table("tunnels").contains("erin-app"));
        assertThat(table("tunnels")).contains("frank-app");

        browser.findElement(By.id("signout")).click();
        waiting(10).until(ExpectedConditions.urlContains("/login"));
        browser.get(invite);
        waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(By.id("invite-user"), "erin"));
        browser.findElement(By.name("password")).sendKeys("erin's own password");
        browser.findElement(By.name("again")).sendKeys("erin's own password");
        browser.findElement(By.cssSelector("#invite-form button")).click();
        waiting(10).until(ExpectedConditions.urlContains("/login"));

        engine(ids.createToken("erin", "again").secret(), "erin-two");
        signIn("erin", "erin's own password");
        open("/tunnels");
        rowWith("tunnels", "erin-two");
        assertThat(table("tunnels")).doesNotContain("frank-app");
        assertThat(table("sessions")).doesNotContain("frank");
    }
}
