package dev.portway.relay;

import dev.portway.relay.auth.Passwords;
import dev.portway.relay.console.ConsoleSettings;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.Role;
import dev.portway.relay.store.Tier;
import dev.portway.shared.protocol.ControlMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The console in a real browser: Selenium driving Debian's headless Chromium with chromium-driver (installed
 * by .ci/run). An admin signs in, adds a user, invites them and creates their token; a real protocol client
 * connects with it and its tunnel shows on the live page within 2 s; the admin revokes the token, the session
 * ends and the audit shows it; the user takes the invite, signs in and sees only their own. Saves a screenshot
 * of every page, light and dark, in target/console-screenshots.
 */
class ConsoleBrowserIT {
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final String ADMIN_PW = "admin password 1";
    static final Path SHOTS = Path.of("target", "console-screenshots");

    @TempDir
    Path tmp;
    Relay relay;
    IdentityStore ids;
    WebDriver browser;
    String base;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run installs them)");
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("local-secret").tcpPortFrom(0).tcpPortTo(0)
                .grace(Duration.ofSeconds(1)).dataDir(tmp).console(new ConsoleSettings(0, "127.0.0.1")).build());
        ids = relay.store().identity();
        ids.addUser("root", Tier.ENTERPRISE, Role.ADMIN);
        ids.setPasswordHash("root", new Passwords(4).hash(ADMIN_PW));
        base = "http://127.0.0.1:" + relay.consolePort();
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--window-size=1280,800", "--user-data-dir=" + tmp.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, o);
        browser.manage().window().setSize(new Dimension(1280, 800));
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (relay != null) {
            relay.shutdown(Duration.ofMillis(200));
        }
    }

    /** Waits that retry when the page's script re-renders a table under them (the live page does every second). */
    WebDriverWait waiting(long seconds) {
        WebDriverWait w = new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(100));
        w.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return w;
    }

    void signIn(String user, String password) {
        browser.get(base + "/login");
        browser.findElement(By.name("user")).sendKeys(user);
        browser.findElement(By.name("password")).sendKeys(password);
        browser.findElement(By.cssSelector("#login-form button")).click();
        // "/" sends an admin on to /overview and a user to /me: wait for the page they land on.
        waiting(10).until(d -> d.getCurrentUrl().endsWith("/overview") || d.getCurrentUrl().endsWith("/me"));
        waiting(10).ignoring(org.openqa.selenium.WebDriverException.class)
                .until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), user));
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
    void anAdminAddsAUserGivesThemATokenSeesTheirTunnelLiveRevokesItAndTheUserSeesOnlyTheirOwn() throws Exception {
        signIn("root", ADMIN_PW);
        assertThat(browser.getCurrentUrl()).endsWith("/overview");
        waiting(10).until(d -> !d.findElements(By.cssSelector("#chart-rps canvas")).isEmpty());

        open("/users");
        browser.findElement(By.name("name")).sendKeys("erin");
        browser.findElement(By.cssSelector("#user-form button")).click();
        WebElement erin = rowWith("users", "erin");
        erin.findElements(By.tagName("button")).stream().filter(b -> b.getText().equals("Invite")).findFirst().orElseThrow().click();
        String invite = waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("invite-link"))).getText();
        assertThat(invite).startsWith(base + "/invite/");

        open("/tokens");
        WebElement user = browser.findElement(By.cssSelector("#token-form input[name=user]"));
        user.clear();
        user.sendKeys("erin");
        browser.findElement(By.name("label")).sendKeys("engine");
        browser.findElement(By.cssSelector("#token-form button")).click();
        String secret = waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("new-secret"))).getText();
        assertThat(secret).startsWith("pw_");

        open("/tunnels");
        ids.addUser("frank", Tier.FREE);
        try (ProtocolTestClient engine = ProtocolTestClient.connect(relay, secret, null);
             ProtocolTestClient other = ProtocolTestClient.connect(relay, ids.createToken("frank", "x").secret(), null)) {
            engine.control(ControlMessage.Welcome.class);
            other.control(ControlMessage.Welcome.class);
            other.bind("f1", "http", "frank-app", java.util.Map.of());
            long bound = System.nanoTime();
            engine.bind("b1", "http", "erin-app", java.util.Map.of());
            rowWith("tunnels", "erin-app");
            long shownMs = (System.nanoTime() - bound) / 1_000_000;
            assertThat(shownMs).as("ms until the tunnel showed on the live page").isLessThan(2000);
            System.out.println("console: tunnel on the live page after " + shownMs + " ms");
            shoot("tunnels");

            open("/tokens");
            rowWith("tokens", "engine").findElement(By.xpath(".//button[text()='Revoke']")).click();
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.closeCode.get() != -1);
            waiting(10).until(d -> table("tokens").contains("revoked"));
            open("/audit");
            waiting(10).until(d -> table("audit").contains("token_revoke"));
            open("/tunnels");
            waiting(10).until(d -> !table("tunnels").contains("erin-app"));

            frankQueueWith("frank-hooks", "{\"event\":\"push\"}");
            for (String page : List.of("overview", "nodes", "users", "tokens", "names", "keys", "queues", "audit", "config", "me")) {
                open("/" + page);
                settle();
                shoot(page);
            }
            // Purge in the browser: the prompt wants the tunnel's name typed.
            open("/queues");
            rowWith("queues", "frank-hooks").findElement(By.xpath(".//button[text()='Purge']")).click();
            var confirm = waiting(5).until(ExpectedConditions.alertIsPresent());
            confirm.sendKeys("frank-hooks");
            confirm.accept();
            waiting(10).until(d -> table("queues").contains("No queued requests."));
            assertThat(relay.queuedCount("frank-hooks")).isZero();

            browser.findElement(By.id("signout")).click();
            waiting(10).until(ExpectedConditions.urlContains("/login"));
            browser.get(invite);
            waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(By.id("invite-user"), "erin"));
            shootPlain("invite");
            browser.findElement(By.name("password")).sendKeys("erin's own password");
            browser.findElement(By.name("again")).sendKeys("erin's own password");
            browser.findElement(By.cssSelector("#invite-form button")).click();
            waiting(10).until(ExpectedConditions.urlContains("/login"));
            shootPlain("login");

            String second = ids.createToken("erin", "again").secret();
            try (ProtocolTestClient again = ProtocolTestClient.connect(relay, second, null)) {
                again.control(ControlMessage.Welcome.class);
                again.bind("b2", "http", "erin-two", java.util.Map.of());
                signIn("erin", "erin's own password");
                assertThat(browser.getCurrentUrl()).endsWith("/me");
                assertThat(browser.findElement(By.cssSelector("nav a[href='/users']")).isDisplayed()).isFalse();
                open("/tunnels");
                rowWith("tunnels", "erin-two");
                assertThat(table("tunnels")).doesNotContain("frank-app");
                assertThat(table("sessions")).doesNotContain("frank");
                open("/tokens");
                rowWith("tokens", "again");
                assertThat(table("tokens")).doesNotContain("frank");
                open("/me");
                settle();
                shoot("user-me");
                open("/tunnels");
                rowWith("tunnels", "erin-two");
                shoot("user-tunnels");
                browser.get(base + "/config"); // an admin page: a user is sent to their own
                waiting(10).until(ExpectedConditions.urlContains("/me"));
            }
        }
        phone();
    }

    /** A queued tunnel of frank's whose client went away, with requests stored for it. */
    private void frankQueueWith(String name, String... bodies) throws Exception {
        ids.reserveName("frank", name);
        int sessions = relay.sessionCount();
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, ids.createToken("frank", "hooks").secret(), null, ConsoleQueueIT.KEY)) {
            c.control(ControlMessage.Welcome.class);
            c.bind("q1", "http", name, java.util.Map.of("queue", "on"));
            c.control(ControlMessage.QueueStatus.class);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.sessionCount() == sessions);
        okhttp3.OkHttpClient http = new okhttp3.OkHttpClient();
        for (String b : bodies) {
            try (okhttp3.Response r = http.newCall(new okhttp3.Request.Builder().url("http://127.0.0.1:" + relay.port() + "/t/" + name + "/hook")
                    .post(okhttp3.RequestBody.create(b, okhttp3.MediaType.get("application/json"))).build()).execute()) {
                assertThat(r.code()).isEqualTo(202);
            }
        }
    }

    /** The overview on a phone-sized window: no horizontal page scroll. */
    private void phone() throws Exception {
        signIn("root", ADMIN_PW);
        browser.manage().window().setSize(new Dimension(390, 844));
        open("/overview");
        settle();
        Object overflow = ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(((Number) overflow).intValue()).as("horizontal overflow on a phone").isLessThanOrEqualTo(1);
        shoot("phone-overview");
    }

    /** Until the page's script has filled it: every table has a row, the cards and charts are drawn. */
    private void settle() {
        waiting(10).until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                "return document.readyState === 'complete'"
                        + " && [...document.querySelectorAll('tbody')].every(b => b.children.length > 0)"
                        + " && [...document.querySelectorAll('#cards')].every(c => c.children.length > 0)"
                        + " && [...document.querySelectorAll('.chart')].every(c => c.querySelector('canvas'))"));
    }

    /** Light and dark screenshots of the current page. */
    private void shoot(String name) throws Exception {
        setTheme("light");
        settle();
        save(name + "-light");
        browser.findElement(By.id("theme")).click();
        waiting(5).until(d -> "dark".equals(((JavascriptExecutor) d).executeScript("return document.documentElement.dataset.theme")));
        settle();
        save(name + "-dark");
        setTheme("light");
    }

    private void shootPlain(String name) throws Exception {
        setTheme("light");
        save(name + "-light");
        ((JavascriptExecutor) browser).executeScript("document.documentElement.dataset.theme = 'dark'");
        save(name + "-dark");
        setTheme("light");
    }

    private void setTheme(String theme) {
        ((JavascriptExecutor) browser).executeScript("document.documentElement.dataset.theme = arguments[0];"
                + "localStorage.setItem('portway-theme', arguments[0]); window.dispatchEvent(new Event('themechange'));", theme);
    }

    private void save(String name) throws Exception {
        File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve("console-" + name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
