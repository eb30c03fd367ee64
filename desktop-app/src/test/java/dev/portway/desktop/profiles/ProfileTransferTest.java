package dev.portway.desktop.profiles;

import dev.portway.shared.profile.ProfileFile;
import dev.portway.shared.profile.ProfileFileException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ProfileTransferTest {
    @TempDir
    Path dir;
    private ProfileStore source;
    private ProfileStore target;

    @BeforeEach
    void open() {
        source = ProfileStore.open(dir.resolve("a"));
        target = ProfileStore.open(dir.resolve("b"));
        source.loadAll(); // as the app does on start: both get the first-run "My app"
        target.loadAll();
    }

    @AfterEach
    void close() {
        source.close();
        target.close();
    }

    private static ProfileTransfer transfer(ProfileStore store) {
        return new ProfileTransfer(store, new ProfileFile(Clock.systemUTC()));
    }

    private static Profile profile(String name, int port) {
        return new Profile(UUID.randomUUID().toString(), name, Profile.Kind.TCP, "127.0.0.1", port, Profile.RelayMode.REMOTE,
                "wss://relay.example.com", "s3cret", null, Map.of("port", "15432"), true);
    }

    /** Every field but the id, which is local to a store, and auto-connect, which import turns off. */
    private static List<String> withoutIds(List<Profile> all) {
        return all.stream().map(p -> String.join("|", p.name(), p.kind().name(), p.localTarget(), p.relayMode().name(),
                String.valueOf(p.relayUrl()), String.valueOf(p.token()), String.valueOf(p.requestedName()),
                p.options().toString())).toList();
    }

    private Path exportSource(boolean secrets) throws Exception {
        Path file = dir.resolve("profiles.json");
        transfer(source).export(file, secrets);
        return file;
    }

    @Test
    void exportThenImportIntoAnotherStoreRoundTrips() throws Exception {
        source.save(profile("Staging DB", 5432));
        Path file = exportSource(true);
        assertThat(Files.list(dir).filter(p -> p.getFileName().toString().endsWith(".tmp"))).as("no temp file left").isEmpty();
        target.delete(target.loadAll().getFirst().id()); // "My app" of the first run

        List<ProfileTransfer.Outcome> outcomes = transfer(target).apply(transfer(target).read(file), c -> {
            throw new AssertionError("no clash expected");
        });

        assertThat(outcomes).extracting(ProfileTransfer.Outcome::line).containsExactly("added     My app", "added     Staging DB");
        assertThat(withoutIds(target.loadAll())).isEqualTo(withoutIds(source.loadAll()));
        assertThat(target.loadAll()).allSatisfy(p -> assertThat(p.autoConnect()).as("imported off").isFalse());
    }

    @Test
    void aSharedFolderExportsAsKindFolderAndImportsWithAWarningAboutWhatItPublishes() throws Exception {
        Profile folder = new Profile(UUID.randomUUID().toString(), "Docs", Profile.Kind.FOLDER, "localhost", 0,
                Profile.RelayMode.EMBEDDED, null, null, "docs", Map.of("folder", "/srv/docs", "folder_listing", "off",
                "folder_spa", "on", "folder_fallback", "app.html"), false);
        source.save(folder);
        assertThat(source.loadAll()).contains(folder); // the store keeps the kind and port 0 (V45)
        Path file = exportSource(false);
        assertThat(Files.readString(file)).contains("\"version\": 2", "\"kind\": \"folder\"", "\"folder\": \"/srv/docs\"");

        ProfileTransfer.Plan plan = transfer(target).read(file);
        assertThat(plan.reviews().get(1).summary()).isEqualTo("2. Docs — folder /srv/docs via the embedded relay");
        assertThat(plan.reviews().get(1).warnings()).containsExactly("it shares the folder /srv/docs of this machine with anyone"
                + " who has the public address — check what is in it first.");
        transfer(target).apply(plan, c -> ProfileTransfer.Choice.RENAME);
        Profile imported = target.loadAll().stream().filter(p -> p.name().equals("Docs")).findFirst().orElseThrow();
        assertThat(imported.kind()).isEqualTo(Profile.Kind.FOLDER);
        assertThat(imported.localTarget()).isEqualTo("/srv/docs");
        assertThat(imported.options()).isEqualTo(folder.options());
    }

    @Test
    void exportWithoutSecretsLeavesTokensOut() throws Exception {
        source.save(profile("Staging DB", 5432));
        Path file = exportSource(false);
        assertThat(Files.readString(file)).doesNotContain("s3cret").contains("wss://relay.example.com");
    }

    @Test
    void exportedFileIsReadableByItsOwnerOnly() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path file = exportSource(true);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void badFileImportsNothing() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":["
                + "{\"name\":\"ok\",\"kind\":\"http\",\"local_port\":3000},{\"name\":\"db\",\"kind\":\"tcp\",\"local_port\":70000}]}");
        List<Profile> before = target.loadAll();
        ProfileFileException e = catchThrowableOfType(ProfileFileException.class, () -> transfer(target).read(file));
        assertThat(e.problems()).containsExactly("Profile 2 (\"db\"): local_port 70000 is out of range — use 1..65535.");
        assertThat(target.loadAll()).isEqualTo(before);
    }

    @Test
    void clashesAreRenamedReplacedOrSkippedAsChosen() throws Exception {
        source.save(profile("web", 8080));
        source.save(profile("db", 5433));
        Path file = exportSource(false); // My app, web, db — without the token
        Profile existingDb = profile("DB", 5432);
        target.save(profile("web", 9090));
        target.save(existingDb);
        ProfileTransfer t = transfer(target);

        ProfileTransfer.Plan plan = t.read(file);
        assertThat(plan.clashes()).extracting(c -> c.incoming().name()).containsExactly("My app", "web", "db");
        List<ProfileTransfer.Outcome> outcomes = t.apply(plan, c -> switch (c.incoming().name()) {
            case "web" -> ProfileTransfer.Choice.RENAME;
            case "db" -> ProfileTransfer.Choice.REPLACE;
            default -> ProfileTransfer.Choice.SKIP;
        });

        assertThat(outcomes).extracting(ProfileTransfer.Outcome::line)
                .containsExactly("skipped   My app", "renamed   web → web (2)", "replaced  db");
        List<Profile> after = target.loadAll();
        assertThat(after).extracting(Profile::name).containsExactly("My app", "web", "db", "web (2)");
        Profile db = after.get(2);
        assertThat(db.id()).as("replaced in place").isEqualTo(existingDb.id());
        assertThat(db.localPort()).isEqualTo(5433);
        assertThat(db.token()).as("a file without secrets keeps the token for the same relay").isEqualTo("s3cret");
        assertThat(after.get(1).localPort()).isEqualTo(9090);
        assertThat(after.get(3).localPort()).isEqualTo(8080);
        assertThat(t.apply(t.read(file), c -> ProfileTransfer.Choice.RENAME)).extracting(ProfileTransfer.Outcome::name)
                .containsExactly("My app (2)", "web (3)", "db (2)");
        assertThat(target.loadAll()).filteredOn(p -> p.name().equals("My app (2)")).singleElement()
                .as("the copy must not fight the original over its public name").extracting(Profile::requestedName).isNull();
    }

    @Test
    void renameFindsTheFirstFreeNumber() {
        assertThat(ProfileTransfer.freeName("web", java.util.Set.of("web", "web (2)"))).isEqualTo("web (3)");
        assertThat(ProfileTransfer.freeName("x".repeat(100), java.util.Set.of())).hasSize(100).endsWith("x (2)");
    }

    @Test
    void importIsOneTransaction() throws Exception {
        Path file = dir.resolve("two.json");
        Files.writeString(file, "{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":["
                + "{\"name\":\"first\",\"kind\":\"http\",\"local_port\":3000},"
                + "{\"name\":\"second\",\"kind\":\"http\",\"local_port\":3001,\"options\":{\"big\":\"" + "v".repeat(1024) + "\"}}]}");
        List<Profile> before = target.loadAll();
        ProfileTransfer t = transfer(target);
        ProfileTransfer.Plan plan = t.read(file);
        // The store refuses the second profile (option value over its column); the first must not stay behind.
        Profile tooLong = ProfileTransfer.toProfile("x", plan.entries().get(1), "second", null);
        assertThatThrownBy(() -> target.saveAll(List.of(ProfileTransfer.toProfile("y", plan.entries().get(0), "first", null),
                new Profile(tooLong.id(), tooLong.name(), tooLong.kind(), "h".repeat(300), 1, tooLong.relayMode(), null, null, null,
                        Map.of(), false))))
                .isInstanceOf(StoreException.class).hasMessageStartingWith("Nothing was imported: could not save \"second\"");
        assertThat(target.loadAll()).isEqualTo(before);
    }

    private Path hostileFile() throws Exception {
        Path file = dir.resolve("hostile.json");
        Files.writeString(file, "{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":["
                + "{\"name\":\"Metadata\",\"kind\":\"http\",\"local_host\":\"169.254.169.254\",\"local_port\":80,"
                + "\"relay\":{\"mode\":\"remote\",\"url\":\"ws://203.0.113.66:8080\"},\"auto_connect\":true},"
                + "{\"name\":\"Local\",\"kind\":\"http\",\"local_port\":3000,\"auto_connect\":true}]}");
        return file;
    }

    @Test
    void importedProfilesNeverConnectByThemselves() throws Exception {
        ProfileTransfer t = transfer(target);
        t.apply(t.read(hostileFile()), c -> ProfileTransfer.Choice.RENAME);
        assertThat(target.loadAll()).filteredOn(p -> !p.name().equals("My app")).hasSize(2)
                .allSatisfy(p -> assertThat(p.autoConnect()).as(p.name()).isFalse());
    }

    @Test
    void replacingAProfileByImportAlsoTurnsAutoConnectOff() throws Exception {
        target.save(profile("Local", 3000)); // auto-connect on
        ProfileTransfer t = transfer(target);
        t.apply(t.read(hostileFile()), c -> ProfileTransfer.Choice.REPLACE);
        assertThat(target.loadAll()).filteredOn(p -> p.name().equals("Local")).singleElement()
                .satisfies(p -> assertThat(p.autoConnect()).isFalse());
    }
}
