package dev.portway.desktop.ui.transfer;

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

    private final TransferViewModel.Prompts prompts = new TransferViewModel.Prompts() {
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
                "The file is profiles format version 7; this Portway reads version 1"
                        + " — it was written by a newer Portway; update Portway to import it.");
        assertThat(names()).containsExactly("My app");
        assertThat(vm.busyProperty().get()).isFalse();
    }
}
