package dev.portway.desktop.ui.main;

import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileService;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;
import dev.portway.desktop.ui.connect.TunnelService;
import dev.portway.desktop.ui.profiles.ProfileItemViewModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The main window's logic against a real H2 store, every executor running inline. */
class MainViewModelTest {
    @TempDir
    Path dir;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private ProfileStore store;
    private TunnelService tunnels;

    private MainViewModel open() {
        store = ProfileStore.open(dir);
        tunnels = new TunnelService(new EmbeddedRelayHost(0), Runnable::run, ticker, Duration.ofHours(1), Runnable::run,
                Clock.systemUTC(), Function.identity());
        MainViewModel vm = new MainViewModel(new ProfileService(store, Runnable::run), tunnels, Runnable::run,
                Clock.systemUTC(), s -> { }, s -> { });
        vm.load();
        return vm;
    }

    private void close() {
        tunnels.close();
        store.close();
    }

    @AfterEach
    void stop() {
        ticker.shutdownNow();
        if (store != null) {
            close();
        }
    }

    @Test
    void firstRunSelectsTheReadyMadeProfile() {
        MainViewModel vm = open();
        assertThat(vm.loadedProperty().get()).isTrue();
        assertThat(vm.items()).extracting(ProfileItemViewModel::profile).extracting(Profile::name).containsExactly("My app");
        assertThat(vm.selectedProperty().get()).isSameAs(vm.items().getFirst());
        assertThat(vm.selectedProperty().get().summaryBinding().get()).isEqualTo("HTTP · localhost:3000 · embedded relay");
    }

    @Test
    void newProfileIsSavedSelectedAndStillThereAfterRestart() {
        MainViewModel vm = open();
        vm.newProfile();
        vm.editorProperty().get().nameProperty().set("Webhooks");
        vm.editorProperty().get().localPortProperty().set("4000");
        vm.saveEdit();
        assertThat(vm.editorProperty().get()).as("form closes after saving").isNull();
        assertThat(vm.selectedProperty().get().profile().name()).isEqualTo("Webhooks");
        close();

        MainViewModel again = open();
        assertThat(again.items()).extracting(i -> i.profile().name() + " " + i.profile().localPort())
                .containsExactly("My app 3000", "Webhooks 4000");
    }

    @Test
    void invalidFormIsNotSaved() {
        MainViewModel vm = open();
        vm.editSelected();
        vm.editorProperty().get().localPortProperty().set("port");
        vm.saveEdit();
        assertThat(vm.editorProperty().get()).as("form stays open").isNotNull();
        assertThat(vm.items().getFirst().profile().localPort()).isEqualTo(3000);
    }

    @Test
    void editChangesTheListEntryInPlace() {
        MainViewModel vm = open();
        ProfileItemViewModel item = vm.selectedProperty().get();
        vm.editSelected();
        vm.editorProperty().get().localPortProperty().set("5173");
        vm.saveEdit();
        assertThat(vm.items()).containsExactly(item);
        assertThat(item.summaryBinding().get()).isEqualTo("HTTP · localhost:5173 · embedded relay");
    }

    @Test
    void duplicateAndDeleteKeepASensibleSelection() {
        MainViewModel vm = open();
        vm.duplicateSelected();
        assertThat(vm.items()).extracting(i -> i.profile().name()).containsExactly("My app", "My app copy");
        assertThat(vm.selectedProperty().get().profile().name()).isEqualTo("My app copy");
        assertThat(vm.selectedProperty().get().profile().requestedName()).as("the copy must not fight over the name").isNull();

        vm.deleteSelected();
        assertThat(vm.items()).extracting(i -> i.profile().name()).containsExactly("My app");
        assertThat(vm.selectedProperty().get().profile().name()).isEqualTo("My app");
        vm.deleteSelected();
        assertThat(vm.items()).isEmpty();
        assertThat(vm.selectedProperty().get()).isNull();
        close();
        assertThat(open().items()).as("deleted for good").isEmpty();
    }

    @Test
    void refreshShowsImportedProfilesAndUpdatesReplacedOnesInPlace() {
        MainViewModel vm = open();
        ProfileItemViewModel first = vm.items().getFirst();
        Profile changed = new Profile(first.id(), "My app", Profile.Kind.HTTP, "localhost", 4000, Profile.RelayMode.EMBEDDED,
                null, null, "my-app", java.util.Map.of(), false);
        Profile added = new Profile(java.util.UUID.randomUUID().toString(), "api", Profile.Kind.TCP, "localhost", 22,
                Profile.RelayMode.EMBEDDED, null, null, null, java.util.Map.of(), false);
        store.saveAll(java.util.List.of(changed, added)); // as an import does, behind the view model's back

        vm.refresh();

        assertThat(vm.items()).extracting(i -> i.profile().name()).containsExactly("My app", "api");
        assertThat(vm.items().getFirst()).as("same item, so its connection state stays").isSameAs(first);
        assertThat(first.profile().localPort()).isEqualTo(4000);
        assertThat(vm.selectedProperty().get().profile().name()).isEqualTo("api");
    }

    @Test
    void remoteProfileImportedWithoutItsTokenSaysSoInsteadOfConnecting() {
        MainViewModel vm = open();
        store.saveAll(java.util.List.of(new Profile(java.util.UUID.randomUUID().toString(), "staging", Profile.Kind.HTTP,
                "localhost", 3000, Profile.RelayMode.REMOTE, "wss://relay.example.com", null, null, java.util.Map.of(), false)));
        vm.refresh();
        ProfileItemViewModel staging = vm.items().getLast();

        staging.connection().toggle();

        assertThat(staging.connection().stateProperty().get()).isEqualTo(EngineState.FAILED);
        assertThat(staging.connection().statusTextProperty().get()).isEqualTo(
                "Failed: “staging” has no relay token — edit the profile and enter the token of relay.example.com.");
    }

    @Test
    void statusEventsReachTheRightProfile() {
        MainViewModel vm = open();
        vm.duplicateSelected();
        ProfileItemViewModel copy = vm.items().getLast();
        vm.onStatus(copy.id(), new EngineStatus(EngineState.CONNECTED, "Connected.", null, 0, 10, null));
        assertThat(copy.connection().statusTextProperty().get()).isEqualTo("Connected");
        assertThat(vm.items().getFirst().connection().statusTextProperty().get()).isEqualTo("Disconnected");
    }
}
