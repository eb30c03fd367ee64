package dev.portway.desktop.ui.transfer;

import dev.portway.desktop.profiles.ImportReview;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileService;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.profiles.ProfileTransfer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Export and import commands against a real H2 store, every executor inline. */
class TransferViewModelTest {
    @TempDir
    Path dir;
    private ProfileStore store;
    private TransferViewModel vm;
    private final AtomicInteger reloads = new AtomicInteger();
    private final List<String> shown = new ArrayList<>();
    private final List<List<ProfileTransfer.Clash>> asked = new ArrayList<>();
    private Optional<Map<Integer, ProfileTransfer.Choice>> answer = Optional.empty();

    private final List<List<ImportReview>> reviewed = new ArrayList<>();
    private boolean confirm = true;

    private final TransferViewModel.Prompts prompts = new TransferViewModel.Prompts() {
        @Override
        public boolean confirmImport(String fileName, List<ImportReview> reviews, int warnings) {
            reviewed.add(reviews);
            return confirm;
        }

        @Override
        public Optional<Map<Integer, ProfileTransfer.Choice>> resolveClashes(List<ProfileTransfer.Clash> clashes) {
            asked.add(clashes);
            return answer;
        }

        @Override
        public void showProblems(String title, List<String> problems) {
            shown.add(title);
            shown.addAll(problems);
        }
    };

    @BeforeEach
    void open() {
        store = ProfileStore.open(dir.resolve("data"));
        store.loadAll();
        vm = new TransferViewModel(new ProfileService(store, Runnable::run), Runnable::run, reloads::incrementAndGet);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private List<String> names() {
        return store.loadAll().stream().map(Profile::name).toList();
    }

    @Test
    void exportThenImportAsksAboutTheClashAndKeepsBoth() {
        Path file = dir.resolve("p.json");
        vm.export(file, false, prompts);
        assertThat(vm.statusProperty().get()).isEqualTo("Exported 1 profile to p.json (without tokens).");
        assertThat(Files.exists(file)).isTrue();

        answer = Optional.of(Map.of(1, ProfileTransfer.Choice.RENAME));
        vm.importFrom(file, prompts);
        assertThat(asked).singleElement().satisfies(c -> assertThat(c).extracting(x -> x.existing().name()).containsExactly("My app"));
        assertThat(names()).containsExactly("My app", "My app (2)");
        assertThat(vm.statusProperty().get()).isEqualTo("Imported: 1 renamed.");
        assertThat(reloads).hasValue(1);
        assertThat(vm.busyProperty().get()).isFalse();
    }

    @Test
    void cancellingTheClashDialogImportsNothing() {
        Path file = dir.resolve("p.json");
        vm.export(file, false, prompts);
        answer = Optional.empty();
        vm.importFrom(file, prompts);
        assertThat(names()).containsExactly("My app");
        assertThat(vm.statusProperty().get()).isEqualTo("Import cancelled; nothing changed.");
        assertThat(reloads).hasValue(0);
    }

    @Test
    void badFileShowsEveryProblemAndImportsNothing() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"format\":\"portway-profiles\",\"version\":7,\"profiles\":[]}");
        vm.importFrom(file, prompts);
        assertThat(shown).containsExactly("Nothing was imported from bad.json",
                "The file is profiles format version 7; this Portway reads version 1, 2"
                        + " — it was written by a newer Portway; update Portway to import it.");
        assertThat(names()).containsExactly("My app");
        assertThat(vm.busyProperty().get()).isFalse();
    }

    private Path hostileFile() throws Exception {
        Path file = dir.resolve("hostile.json");
        Files.writeString(file, "{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":["
                + "{\"name\":\"Metadata\",\"kind\":\"http\",\"local_host\":\"169.254.169.254\",\"local_port\":80,"
                + "\"relay\":{\"mode\":\"remote\",\"url\":\"ws://203.0.113.66:8080\"},\"auto_connect\":true}]}");
        return file;
    }

    @Test
    void importShowsTargetRelayAndWarningsFirstAndCancelChangesNothing() throws Exception {
        confirm = false;
        vm.importFrom(hostileFile(), prompts);
        assertThat(reviewed).singleElement().satisfies(reviews -> assertThat(reviews).singleElement().satisfies(r -> {
            assertThat(r.summary()).isEqualTo("1. Metadata — http 169.254.169.254:80 via relay ws://203.0.113.66:8080");
            assertThat(r.warnings()).hasSize(2);
            assertThat(r.warnings().get(0)).startsWith("169.254.169.254 is a link-local or cloud metadata address");
            assertThat(r.warnings().get(1)).startsWith("relay ws://203.0.113.66:8080 is not one you use yet");
            assertThat(r.notes()).singleElement().asString().startsWith("auto-connect is on in the file; it is imported off");
        }));
        assertThat(names()).containsExactly("My app");
        assertThat(vm.statusProperty().get()).isEqualTo("Import cancelled; nothing changed.");
        assertThat(reloads).hasValue(0);
        assertThat(vm.busyProperty().get()).isFalse();
    }

    @Test
    void confirmedImportIsSavedWithAutoConnectOff() throws Exception {
        vm.importFrom(hostileFile(), prompts);
        assertThat(store.loadAll()).filteredOn(p -> p.name().equals("Metadata")).singleElement()
                .satisfies(p -> assertThat(p.autoConnect()).isFalse());
        assertThat(vm.statusProperty().get())
                .isEqualTo("Imported: 1 added. Auto-connect stays off until you turn it on in the editor.");
    }
}
