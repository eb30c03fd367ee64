package dev.portway.desktop.ui.app;

import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.ReconnectPolicy;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.inspector.Exchange;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * "Share a folder…" in the real app on the headless glass platform: a temp data dir, the real embedded relay (any
 * free port), a real folder on disk and a real visitor (OkHttp) fetching through the public URL.
 */
@Tag("ui")
class FolderShareUiTest {
    @TempDir
    Path dir;
    @TempDir
    Path site;
    private final FxRobot robot = new FxRobot();
    private DesktopApp app;

    @BeforeEach
    void start() throws Exception {
        Files.writeString(site.resolve("hello.txt"), "hello from a shared folder\n");
        Files.createDirectories(site.resolve("docs"));
        Files.write(site.resolve("docs").resolve("logo.bin"), new byte[]{0, 1, 2, (byte) 0xff});
        FxToolkit.registerPrimaryStage();
        launch();
    }

    private void launch() throws Exception {
        app = (DesktopApp) FxToolkit.setupApplication(() -> new DesktopApp(
                List.of("--data-dir", dir.toString(), "--relay-port", "0"),
                c -> c.withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), 5))));
        await().atMost(Duration.ofSeconds(30)).until(() -> robot.lookup("#connectButton").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void stop() throws Exception {
        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
    }

    private void replaceText(String field, String text) {
        robot.clickOn(field).push(KeyCode.CONTROL, KeyCode.A).push(KeyCode.BACK_SPACE).write(text);
    }

    private String text(String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    private boolean shown(String query) {
        return robot.lookup(query).tryQuery().map(n -> n.isVisible() && n.getScene() != null).orElse(false);
    }

    private Button shareButton() {
        return robot.lookup("#shareFolderSave").queryButton();
    }

    @SuppressWarnings("unchecked")
    private ListView<dev.portway.desktop.ui.profiles.ProfileItemViewModel> profileList() {
        return robot.lookup("#profileList").queryAs(ListView.class);
    }

    @Test
    void aSharedFolderServesItsFilesAndListingThroughThePublicUrlShowsItsRequestsAndSurvivesARestart() throws Exception {
        robot.clickOn("#shareFolderButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> shown("#folderField"));
        replaceText("#folderField", site.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> !shareButton().isDisabled());
        // The name follows the folder until the person types one.
        assertThat(robot.lookup("#shareNameField").queryTextInputControl().getText()).isEqualTo(site.getFileName().toString());
        replaceText("#shareNameField", "Site");
        replaceText("#shareRequestedNameField", "files");
        robot.clickOn("#shareFolderSave");
        await().atMost(Duration.ofSeconds(10)).until(() -> !shown("#folderField"));

        // It is a profile like the others: in the list with a folder icon, selected and connecting at once.
        await().atMost(Duration.ofSeconds(10)).until(() -> profileList().getItems().size() == 2);
        Profile saved = profileList().getItems().get(1).profile();
        assertThat(saved.kind()).isEqualTo(Profile.Kind.FOLDER);
        assertThat(saved.options()).containsEntry("folder", site.toRealPath().toString()).containsEntry("folder_listing", "on");
        assertThat(robot.lookup(".folder-share").queryAs(Label.class).getText()).isEqualTo("Site");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> text("#statusText").equals("Connected") && !text("#publicUrl").isEmpty());
        String url = text("#publicUrl");
        assertThat(url).startsWith("http://files.localhost:");
        assertThat(shown("#copyButton") && shown("#openButton") && shown("#qrButton")).as("Copy, Open and QR as for HTTP").isTrue();

        OkHttpClient visitor = dev.portway.desktop.testing.Visitors.client();
        try (Response r = visitor.newCall(new Request.Builder().url(url + "hello.txt").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.header("Content-Type")).startsWith("text/plain");
            assertThat(r.body().bytes()).isEqualTo("hello from a shared folder\n".getBytes(StandardCharsets.UTF_8));
        }
        try (Response r = visitor.newCall(new Request.Builder().url(url + "docs/logo.bin").build()).execute()) {
            assertThat(r.body().bytes()).isEqualTo(new byte[]{0, 1, 2, (byte) 0xff});
        }
        try (Response r = visitor.newCall(new Request.Builder().url(url).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).contains("hello.txt").contains("docs/");
        }

        // The inspector lists them with what passed, like HTTP requests.
        robot.clickOn(robot.lookup(".tab-label").match((Label l) -> "Requests".equals(l.getText())).queryAs(Label.class));
        TableView<Exchange> table = robot.lookup("#requestTable").queryTableView();
        await().atMost(Duration.ofSeconds(10)).until(() -> table.getItems().stream()
                .anyMatch(x -> x.event().path().equals("/hello.txt") && x.event().status() == 200 && x.captured()));
        Exchange hello = table.getItems().stream().filter(x -> x.event().path().equals("/hello.txt")).findFirst().orElseThrow();
        assertThat(new String(hello.capture().responseBody().bytes(), StandardCharsets.UTF_8)).isEqualTo("hello from a shared folder\n");

        // A restart (a new app on the same data dir) keeps the share.
        app.shutdown().get(15, TimeUnit.SECONDS);
        FxToolkit.cleanupStages();
        launch();
        await().atMost(Duration.ofSeconds(10)).until(() -> profileList().getItems().size() == 2);
        Profile again = profileList().getItems().get(1).profile();
        assertThat(again).isEqualTo(saved);
        assertThat(robot.lookup(".folder-share").queryAs(Label.class).getText()).isEqualTo("Site");
    }

    @Test
    void badInputIsRefusedInWordsAndSavesNothing() throws Exception {
        Path file = Files.writeString(site.resolve("page.html"), "<p>hi</p>");
        robot.clickOn("#shareFolderButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> shown("#folderField"));
        assertThat(text("#folderProblem")).isEqualTo("Choose the folder to share.");
        assertThat(shareButton().isDisabled()).isTrue();

        replaceText("#folderField", site.resolve("missing").toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> text("#folderProblem").equals(
                "Folder " + site.resolve("missing") + " does not exist — check the path."));
        assertThat(shareButton().isDisabled()).isTrue();

        replaceText("#folderField", file.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> text("#folderProblem").equals(
                file + " is a file, not a folder — share the folder it is in."));

        replaceText("#folderField", "relative/site");
        await().atMost(Duration.ofSeconds(10)).until(() -> text("#folderProblem").startsWith("Enter the folder's full path"));

        replaceText("#folderField", site.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> !shareButton().isDisabled());
        robot.clickOn("#spaCheck");
        await().atMost(Duration.ofSeconds(10)).until(() -> text("#fallbackProblem").equals(
                "The folder has no index.html — add it, or name the page your app starts from."));
        assertThat(shareButton().isDisabled()).isTrue();
        replaceText("#fallbackField", "../etc/passwd");
        await().atMost(Duration.ofSeconds(10)).until(() -> text("#fallbackProblem").startsWith("The fallback file \"../etc/passwd\" must be a file in the shared folder"));
        replaceText("#fallbackField", "page.html");
        await().atMost(Duration.ofSeconds(10)).until(() -> !shareButton().isDisabled());

        replaceText("#shareRequestedNameField", "-bad-");
        assertThat(text("#shareRequestedNameProblem")).isEqualTo("Use 1-63 letters, digits and '-', not starting or ending with '-'.");
        assertThat(shareButton().isDisabled()).isTrue();
        replaceText("#shareNameField", "");
        assertThat(text("#shareNameProblem")).isEqualTo("Give the profile a name.");

        robot.clickOn("#shareFolderCancel");
        await().atMost(Duration.ofSeconds(10)).until(() -> !shown("#folderField"));
        assertThat(profileList().getItems()).hasSize(1); // nothing was saved
    }

    @Test
    void aFolderRemovedWhileSharedShowsWhyAndItsRequestsFail() throws Exception {
        Path gone = Files.createDirectories(site.resolve("gone"));
        Files.writeString(gone.resolve("a.txt"), "a");
        robot.clickOn("#shareFolderButton");
        await().atMost(Duration.ofSeconds(10)).until(() -> shown("#folderField"));
        replaceText("#folderField", gone.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> !shareButton().isDisabled());
        robot.clickOn("#shareFolderSave");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> text("#statusText").equals("Connected") && !text("#publicUrl").isEmpty());
        String url = text("#publicUrl");

        String real = gone.toRealPath().toString();
        Files.delete(gone.resolve("a.txt"));
        Files.delete(gone);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> shown("#targetHealth")
                && text("#targetHealth").startsWith("The folder " + real + " is gone or cannot be read"));
        try (Response r = dev.portway.desktop.testing.Visitors.client().newCall(new Request.Builder().url(url + "a.txt").build()).execute()) {
            assertThat(r.code()).isGreaterThanOrEqualTo(500);
            assertThat(r.body().string()).contains("does not exist");
        }

        // Connecting again says why it cannot.
        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> text("#statusText").equals("Disconnected"));
        robot.clickOn("#connectButton");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> text("#statusText").equals(
                "Failed: Folder " + real + " does not exist — check the path."));
    }
}
