package dev.portway.desktop.profiles;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ProfilesCommandTest {
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Path dataDir, String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data-dir", dataDir.toString()));
        return ProfilesCommand.run(all, DataDirs.resolve(all), Clock.systemUTC(), new PrintWriter(out), new PrintWriter(err));
    }

    private List<String> names(Path dataDir) {
        try (ProfileStore s = ProfileStore.open(dataDir)) {
            return s.loadAll().stream().map(Profile::name).toList();
        }
    }

    private void seed(Path dataDir, String... names) {
        try (ProfileStore s = ProfileStore.open(dataDir)) {
            s.loadAll();
            for (String n : names) {
                s.save(new Profile(UUID.randomUUID().toString(), n, Profile.Kind.HTTP, "localhost", 8080,
                        Profile.RelayMode.REMOTE, "wss://relay.example.com", "s3cret", null, Map.of(), false));
            }
        }
    }

    @Test
    void exportWritesTheFileAndListsEachProfile() throws Exception {
        Path a = dir.resolve("a");
        seed(a, "web");
        Path file = dir.resolve("out.json");
        assertThat(run(a, "--export", file.toString())).isZero();
        assertThat(out.toString()).isEqualTo("exported  My app\nexported  web\n".replace("\n", System.lineSeparator()));
        assertThat(Files.readString(file)).contains("\"name\": \"web\"").doesNotContain("s3cret");

        assertThat(run(a, "--export", file.toString(), "--include-secrets")).isZero();
        assertThat(Files.readString(file)).contains("\"token\": \"s3cret\"");

        Path nowhere = dir.resolve("no-such-folder").resolve("p.json");
        assertThat(run(a, "--export", nowhere.toString())).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("Could not write " + nowhere + ": the folder " + nowhere.getParent()
                + " does not exist.");
    }

    @Test
    void importRefusesClashesByDefaultAndChangesNothing() {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        seed(a, "web", "api");
        seed(b, "web");
        Path file = dir.resolve("p.json");
        assertThat(run(a, "--export", file.toString())).isZero();

        assertThat(run(b, "--import", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("Nothing was imported: 2 profile(s)", "Profile 1 (\"My app\")", "Profile 2 (\"web\")",
                "--on-clash rename|replace|skip");
        assertThat(names(b)).containsExactly("My app", "web");

        assertThat(run(b, "--import", file.toString(), "--on-clash", "rename")).isZero();
        assertThat(out.toString().lines()).containsExactly("The file holds 3 profiles:",
                "  1. My app — http localhost:3000 via the embedded relay",
                "  2. web — http localhost:8080 via relay wss://relay.example.com",
                "  3. api — http localhost:8080 via relay wss://relay.example.com",
                "renamed   My app → My app (2)", "renamed   web → web (2)", "added     api");
        assertThat(names(b)).containsExactly("My app", "web", "My app (2)", "web (2)", "api");
    }

    @Test
    void badFileListsTheProblemsExitsTwoAndChangesNothing() throws Exception {
        Path b = dir.resolve("b");
        seed(b);
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":["
                + "{\"name\":\"x\",\"kind\":\"http\",\"local_port\":1},{\"name\":\"db\",\"kind\":\"tcp\",\"local_port\":70000}]}");
        assertThat(run(b, "--import", file.toString(), "--on-clash", "replace")).isEqualTo(2);
        assertThat(err.toString()).contains("Nothing was imported", "Profile 2 (\"db\"): local_port 70000 is out of range — use 1..65535.");
        assertThat(out.toString()).isEmpty();
        assertThat(names(b)).containsExactly("My app");

        assertThat(run(b, "--import", dir.resolve("missing.json").toString())).isEqualTo(2);
        assertThat(err.toString()).startsWith("No such file: ");
    }

    @Test
    void onlyExportAndImportSkipTheWindow() {
        assertThat(ProfilesCommand.wanted(List.of("--data-dir", "x"))).isFalse();
        assertThat(ProfilesCommand.wanted(List.of("--import", "p.json"))).isTrue();
        assertThat(ProfilesCommand.wanted(List.of("--export", "p.json", "--include-secrets"))).isTrue();
    }

    @Test
    void badUsageExitsTwo() {
        Path b = dir.resolve("b");
        assertThat(run(b, "--import", "x.json", "--on-clash", "merge")).isEqualTo(2);
        assertThat(err.toString()).contains("--on-clash must be rename, replace or skip, not \"merge\"");
        assertThat(run(b, "--import", "x.json", "--export", "y.json")).isEqualTo(2);
        assertThat(Files.exists(b)).as("no data dir created for bad usage").isFalse();
    }

    private Path hostileFile() throws Exception {
        Path file = dir.resolve("hostile.json");
        Files.writeString(file, "{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":["
                + "{\"name\":\"Metadata\",\"kind\":\"http\",\"local_host\":\"169.254.169.254\",\"local_port\":80,"
                + "\"relay\":{\"mode\":\"remote\",\"url\":\"ws://203.0.113.66:8080\"},\"auto_connect\":true}]}");
        return file;
    }

    @Test
    void importShowsTargetsAndWarningsAndRefusesThemWithoutAcceptWarnings() throws Exception {
        Path b = dir.resolve("b");
        seed(b);
        Path file = hostileFile();
        assertThat(run(b, "--import", file.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("1. Metadata — http 169.254.169.254:80 via relay ws://203.0.113.66:8080",
                "warning: 169.254.169.254 is a link-local or cloud metadata address",
                "warning: relay ws://203.0.113.66:8080 is not one you use yet",
                "auto-connect is on in the file; it is imported off");
        assertThat(err.toString()).contains("Nothing was imported", "--accept-warnings");
        assertThat(names(b)).containsExactly("My app");

        assertThat(run(b, "--import", file.toString(), "--accept-warnings")).isZero();
        assertThat(out.toString().lines()).last().isEqualTo("added     Metadata");
        try (ProfileStore s = ProfileStore.open(b)) {
            assertThat(s.loadAll()).filteredOn(p -> p.name().equals("Metadata")).singleElement()
                    .satisfies(p -> assertThat(p.autoConnect()).as("imported off").isFalse());
        }
    }

    @Test
    void namesAreEscapedOnTheTerminal() {
        Path a = dir.resolve("a");
        try (ProfileStore s = ProfileStore.open(a)) {
            s.loadAll();
            // Saved before names were checked: still shown without its escape sequence reaching the terminal.
            s.save(new Profile(UUID.randomUUID().toString(), "red\u001b[31m\u0007", Profile.Kind.HTTP, "localhost", 8080,
                    Profile.RelayMode.EMBEDDED, null, null, null, Map.of(), false));
        }
        assertThat(run(a, "--export", dir.resolve("out.json").toString())).isEqualTo(1);
        assertThat(out.toString() + err.toString()).doesNotContain("\u001b").doesNotContain("\u0007").contains("red\\e[31m\\u0007");
    }

    @Test
    void keepAutoConnectIsAnExplicitOptInForScriptsThatWroteTheirOwnFile() throws Exception {
        Path b = dir.resolve("b");
        seed(b);
        Path file = Files.writeString(dir.resolve("busy.json"), "{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":["
                + "{\"name\":\"Busy\",\"kind\":\"http\",\"local_host\":\"127.0.0.1\",\"local_port\":8080,\"auto_connect\":true}]}");
        assertThat(run(b, "--import", file.toString(), "--keep-auto-connect")).isZero();
        assertThat(out.toString()).contains("note: auto-connect is on in the file and kept on (--keep-auto-connect)");
        try (ProfileStore s = ProfileStore.open(b)) {
            assertThat(s.loadAll()).filteredOn(p -> p.name().equals("Busy")).singleElement()
                    .satisfies(p -> assertThat(p.autoConnect()).isTrue());
        }
        assertThat(run(b, "--export", file.toString(), "--keep-auto-connect")).isEqualTo(2);
        assertThat(err.toString()).contains("--keep-auto-connect goes with --import");
    }
}
