package dev.portway.desktop.ui.folder;

import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.folder.FolderShareViewModel.Field;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FolderShareViewModelTest {
    @TempDir
    Path site;
    private final Executor now = Runnable::run;

    private static Profile remote(String name, String url, String token) {
        return new Profile(java.util.UUID.randomUUID().toString(), name, Profile.Kind.HTTP, "localhost", 3000,
                Profile.RelayMode.REMOTE, url, token, null, Map.of(), false);
    }

    @Test
    void aNewShareFollowsTheFolderNameAndBuildsAFolderProfile() throws Exception {
        Files.writeString(site.resolve("index.html"), "<p>hi</p>");
        FolderShareViewModel vm = new FolderShareViewModel(null, List.of(), now, now);
        assertThat(vm.problemProperty(Field.FOLDER).get()).isEqualTo("Choose the folder to share.");
        assertThat(vm.validBinding().get()).isFalse();

        vm.folderProperty().set(site.toString());
        assertThat(vm.nameProperty().get()).isEqualTo(site.getFileName().toString());
        assertThat(vm.validBinding().get()).isTrue();
        vm.nameProperty().set("Site");
        vm.folderProperty().set(site.toString() + "/");
        assertThat(vm.nameProperty().get()).as("typed names stay").isEqualTo("Site");
        vm.spaProperty().set(true);
        vm.listingProperty().set(false);
        vm.requestedNameProperty().set("My-Site");

        Profile p = vm.result();
        assertThat(p.kind()).isEqualTo(Profile.Kind.FOLDER);
        assertThat(p.localPort()).isZero();
        assertThat(p.requestedName()).isEqualTo("my-site");
        assertThat(p.relayMode()).isEqualTo(Profile.RelayMode.EMBEDDED);
        assertThat(p.options()).isEqualTo(Map.of("folder", site.toRealPath().toString(), "folder_listing", "off",
                "folder_spa", "on", "folder_fallback", "index.html"));
        assertThat(p.localTarget()).isEqualTo(site.toRealPath().toString());
    }

    @Test
    void theFolderIsCheckedOffTheCallersThreadAndOnlyTheNewestAnswerCounts() throws Exception {
        List<Runnable> io = new ArrayList<>();
        FolderShareViewModel vm = new FolderShareViewModel(null, List.of(), io::add, now);
        vm.folderProperty().set(site.resolve("nope").toString());
        vm.folderProperty().set(site.toString());
        assertThat(vm.checkingProperty().get()).isTrue();
        assertThat(vm.validBinding().get()).as("not while checking").isFalse();
        assertThatThrownBy(vm::result).isInstanceOf(IllegalStateException.class);
        io.get(1).run(); // the newest
        io.get(0).run(); // an older answer, late: ignored
        assertThat(vm.problemProperty(Field.FOLDER).get()).isEmpty();
        assertThat(vm.validBinding().get()).isTrue();
    }

    @Test
    void offersTheEmbeddedRelayAndEverySavedRemoteRelayOnce() {
        List<Profile> saved = List.of(remote("a", "wss://relay.example.com", "t1"), remote("b", "wss://relay.example.com", "t1"),
                remote("c", "wss://other.example.com", null));
        FolderShareViewModel vm = new FolderShareViewModel(null, saved, now, now);
        assertThat(vm.relays()).extracting(FolderShareViewModel.RelayChoice::label).containsExactly(
                "Built into Portway (reachable from this computer)", "wss://relay.example.com", "wss://other.example.com");
        vm.folderProperty().set(site.toString());
        vm.relayProperty().set(vm.relays().get(2));
        assertThat(vm.problemProperty(Field.RELAY).get()).startsWith("This relay has no token saved");
        assertThat(vm.validBinding().get()).isFalse();
        vm.relayProperty().set(vm.relays().get(1));
        Profile p = vm.result();
        assertThat(p.relayUrl()).isEqualTo("wss://relay.example.com");
        assertThat(p.token()).isEqualTo("t1");
        assertThat(vm.relays().get(1).toString()).doesNotContain("t1");
    }

    @Test
    void editingKeepsTheIdAndOtherOptionsAndShowsWhatIsSaved() throws Exception {
        Profile original = new Profile("id-1", "Docs", Profile.Kind.FOLDER, "localhost", 0, Profile.RelayMode.EMBEDDED, null,
                null, "docs", Map.of("folder", site.toString(), "folder_listing", "off", "folder_spa", "on",
                "folder_fallback", "shell.html", "ip_allow", "10.0.0.0/8"), true);
        Files.writeString(site.resolve("shell.html"), "<div id=app>");
        FolderShareViewModel vm = new FolderShareViewModel(original, List.of(original), now, now);
        assertThat(vm.isNew()).isFalse();
        assertThat(vm.listingProperty().get()).isFalse();
        assertThat(vm.spaProperty().get()).isTrue();
        assertThat(vm.fallbackProperty().get()).isEqualTo("shell.html");
        assertThat(vm.validBinding().get()).isTrue();
        vm.spaProperty().set(false);
        Profile p = vm.result();
        assertThat(p.id()).isEqualTo("id-1");
        assertThat(p.autoConnect()).isTrue();
        assertThat(p.options()).containsEntry("ip_allow", "10.0.0.0/8").containsEntry("folder_spa", "off")
                .doesNotContainKey("folder_fallback");
    }
}
