package dev.portway.desktop.engine.share;

import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared folder's answers, against real files (and real symlinks) in a temporary directory. */
class FolderServerTest {
    @TempDir
    Path tmp;
    private Path root;
    private FolderServer server;

    @BeforeEach
    void files() throws IOException {
        root = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(tmp.resolve("secret.txt"), "outside");
        Files.writeString(root.resolve("hello.txt"), "0123456789");
        Files.writeString(root.resolve("app.js"), "x");
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/index.html"), "<p>docs</p>");
        Files.createDirectories(root.resolve("files"));
        Files.writeString(root.resolve("files/<b>&'x\".txt"), "tricky");
        Files.writeString(root.resolve("files/a b.txt"), "space");
        Files.createSymbolicLink(root.resolve("out.txt"), tmp.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("outdir"), tmp);
        Files.createSymbolicLink(root.resolve("in.txt"), root.resolve("hello.txt"));
        server = server(true, false);
    }

    private FolderServer server(boolean listing, boolean spa) {
        return new FolderServer(FolderShare.of(Map.of("folder", root.toString(), "folder_listing", listing ? "on" : "off",
                "folder_spa", spa ? "on" : "off")));
    }

    private static String header(Answer a, String name) {
        return a.headers().stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).findFirst().orElse(null);
    }

    private static String body(Answer a) {
        return a.bytes() == null ? null : new String(a.bytes(), StandardCharsets.UTF_8);
    }

    private Answer get(String target, Header... headers) {
        return server.answer("GET", target, List.of(headers));
    }

    @Test
    void aFileIsServedWithItsTypeLengthAndValidators() {
        Answer a = get("/hello.txt");
        assertThat(a.status()).isEqualTo(200);
        assertThat(header(a, "Content-Type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(header(a, "Content-Length")).isEqualTo("10");
        assertThat(header(a, "ETag")).startsWith("\"");
        assertThat(header(a, "Last-Modified")).endsWith("GMT");
        assertThat(a.range()).isEqualTo(new ByteRange(0, 10));
        assertThat(header(get("/app.js"), "Content-Type")).isEqualTo("text/javascript; charset=utf-8");
    }

    @Test
    void aSingleRangeIs206AndOneOutsideTheFileIs416() {
        Answer a = get("/hello.txt", new Header("Range", "bytes=2-4"));
        assertThat(a.status()).isEqualTo(206);
        assertThat(a.range()).isEqualTo(new ByteRange(2, 3));
        assertThat(header(a, "Content-Range")).isEqualTo("bytes 2-4/10");
        assertThat(get("/hello.txt", new Header("Range", "bytes=-3")).range()).isEqualTo(new ByteRange(7, 3));
        assertThat(get("/hello.txt", new Header("Range", "bytes=8-")).range()).isEqualTo(new ByteRange(8, 2));
        Answer bad = get("/hello.txt", new Header("Range", "bytes=10-20"));
        assertThat(bad.status()).isEqualTo(416);
        assertThat(header(bad, "Content-Range")).isEqualTo("bytes */10");
        assertThat(get("/hello.txt", new Header("Range", "bytes=oops")).status()).as("malformed: ignored").isEqualTo(200);
    }

    @Test
    void matchingValidatorsGet304AndAChangedFileDoesNot() throws IOException {
        Answer first = get("/hello.txt");
        String etag = header(first, "ETag");
        assertThat(get("/hello.txt", new Header("If-None-Match", etag)).status()).isEqualTo(304);
        assertThat(get("/hello.txt", new Header("If-Modified-Since", header(first, "Last-Modified"))).status()).isEqualTo(304);
        assertThat(get("/hello.txt", new Header("If-Range", "\"old\""), new Header("Range", "bytes=0-1")).status())
                .as("If-Range that does not match: the whole file").isEqualTo(200);
        Files.writeString(root.resolve("hello.txt"), "changed, and longer");
        assertThat(get("/hello.txt", new Header("If-None-Match", etag)).status()).isEqualTo(200);
    }

    @Test
    void aDirectoryGetsItsIndexAndWithoutASlashARelativeRedirect() {
        assertThat(get("/docs/").file().getFileName().toString()).isEqualTo("index.html");
        Answer r = get("/docs?x=1");
        assertThat(r.status()).isEqualTo(301);
        assertThat(header(r, "Location")).isEqualTo("docs/?x=1");
    }

    @Test
    void theListingEscapesNamesAndLinksThemEncodedAndHidesLinksOut() {
        Answer a = get("/files/");
        assertThat(a.status()).isEqualTo(200);
        assertThat(body(a)).contains("&lt;b&gt;&amp;&#39;x&quot;.txt", "href=\"%3Cb%3E%26%27x%22.txt\"", "href=\"a%20b.txt\"",
                "href=\"../\"").doesNotContain("<b>&");
        assertThat(body(get("/"))).contains("href=\"in.txt\"").doesNotContain("out.txt", "outdir");
        assertThat(server(false, false).answer("GET", "/files/", List.of()).status()).isEqualTo(404);
    }

    @Test
    void spaFallbackServesTheRootIndexForPathsWithoutAnExtension() throws IOException {
        Files.writeString(root.resolve("index.html"), "<div id=app>");
        FolderServer spa = server(true, true);
        assertThat(spa.answer("GET", "/users/42", List.of()).file()).isEqualTo(root.toRealPath().resolve("index.html"));
        assertThat(spa.answer("GET", "/missing.png", List.of()).status()).isEqualTo(404);
        assertThat(get("/users/42").status()).isEqualTo(404);
    }

    @Test
    void spaFallbackCanBeAnotherFileInTheFolderButNothingOutsideIt() throws IOException {
        FolderServer shell = new FolderServer(FolderShare.of(Map.of("folder", root.toString(), "folder_spa", "on",
                "folder_fallback", "docs/index.html")));
        assertThat(shell.answer("GET", "/users/42", List.of()).file()).isEqualTo(root.toRealPath().resolve("docs/index.html"));
        for (String bad : new String[]{"../secret.txt", "/etc/passwd", ".hidden.html", "docs/", "a/../../x", ""}) {
            assertThatThrownBy(() -> FolderShare.of(Map.of("folder", root.toString(), "folder_fallback", bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be a file in the shared folder");
        }
        // A fallback that is a symlink out of the folder is not served (the real path must stay inside).
        FolderServer out = new FolderServer(FolderShare.of(Map.of("folder", root.toString(), "folder_spa", "on",
                "folder_fallback", "out.txt")));
        assertThat(out.answer("GET", "/users/42", List.of()).status()).isEqualTo(404);
    }

    @Test
    void nothingOutsideTheFolderIsReachable() {
        for (String t : List.of("/../secret.txt", "/docs/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2fsecret.txt",
                "/..%2fsecret.txt", "/..%5csecret.txt", "/..\\secret.txt", "/%252e%252e/secret.txt", "/hello.txt%00.png",
                "/C:/Windows/win.ini", "/C:%5cWindows", "/%c0%ae%c0%ae/secret.txt", "/a%zz", "/file::$DATA")) {
            assertThat(get(t).status()).as(t).isEqualTo(400);
        }
        for (String t : List.of("/out.txt", "/outdir/secret.txt", "/CON", "/nul.txt", "/com1", "/LPT3.log", "/hello.txt.",
                "/hello.txt%20", "//etc/passwd", "/etc/passwd")) {
            assertThat(get(t).status()).as(t).isEqualTo(404);
        }
        assertThat(get("/in.txt").status()).as("a link inside the folder").isEqualTo(200);
        assertThat(get("/./hello.txt").status()).isEqualTo(200);
    }

    @Test
    void hiddenFilesAndFoldersAreNeitherServedNorListedButWellKnownIs() throws IOException {
        Files.writeString(root.resolve(".env"), "SECRET=1");
        Files.createDirectories(root.resolve(".git"));
        Files.writeString(root.resolve(".git/config"), "[core]");
        Files.createDirectories(root.resolve(".well-known"));
        Files.writeString(root.resolve(".well-known/security.txt"), "Contact: x");
        for (String t : List.of("/.env", "/%2eenv", "/.git/config", "/.git/", "/docs/.env")) {
            assertThat(get(t).status()).as(t).isEqualTo(404);
        }
        assertThat(body(get("/"))).doesNotContain(".env", ".git\"", "href=\".git").contains(".well-known");
        assertThat(get("/.well-known/security.txt").file()).isEqualTo(root.toRealPath().resolve(".well-known/security.txt"));
    }

    @Test
    void onlyGetAndHeadAreAnswered() {
        Answer a = server.answer("POST", "/hello.txt", List.of());
        assertThat(a.status()).isEqualTo(405);
        assertThat(header(a, "Allow")).isEqualTo("GET, HEAD");
        assertThat(server.answer("HEAD", "/hello.txt", List.of()).status()).isEqualTo(200);
    }

    @Test
    void aFolderThatCannotBeSharedIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> FolderShare.of(Map.of("folder", tmp.resolve("nope").toString())))
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> FolderShare.of(Map.of("folder", root.resolve("hello.txt").toString())))
                .hasMessageContaining("is a file, not a folder");
        assertThatThrownBy(() -> FolderShare.of(Map.of("folder", root.toString(), "folder_listing", "yes")))
                .hasMessage("The option folder_listing must be on or off, not \"yes\".");
    }
}
