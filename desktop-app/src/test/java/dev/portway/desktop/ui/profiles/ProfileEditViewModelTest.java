package dev.portway.desktop.ui.profiles;

import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileDraft.Field;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileEditViewModelTest {
    @Test
    void invalidPortShowsItsMessageAndBlocksSaving() {
        ProfileEditViewModel vm = new ProfileEditViewModel(Profile.firstRun());
        assertThat(vm.validBinding().get()).isTrue();

        vm.localPortProperty().set("70000");
        assertThat(vm.problemProperty(Field.LOCAL_PORT).get()).isEqualTo("Port must be a number from 1 to 65535.");
        assertThat(vm.validBinding().get()).isFalse();

        vm.localPortProperty().set("3001");
        assertThat(vm.problemProperty(Field.LOCAL_PORT).get()).isEmpty();
        assertThat(vm.validBinding().get()).isTrue();
        assertThat(vm.result().localPort()).isEqualTo(3001);
    }

    @Test
    void switchingToARemoteRelayAsksForAddressAndToken() {
        ProfileEditViewModel vm = new ProfileEditViewModel(Profile.firstRun());
        vm.relayModeProperty().set(Profile.RelayMode.REMOTE);
        assertThat(vm.remoteBinding().get()).isTrue();
        assertThat(vm.problemProperty(Field.RELAY_URL).get()).isNotEmpty();
        assertThat(vm.problemProperty(Field.TOKEN).get()).isNotEmpty();
        assertThat(vm.validBinding().get()).isFalse();

        vm.relayUrlProperty().set("wss://relay.example.com");
        vm.tokenProperty().set("t0ken");
        assertThat(vm.validBinding().get()).isTrue();
        assertThat(vm.result().relayUrl()).isEqualTo("wss://relay.example.com");
    }

    @Test
    void editKeepsTheIdAndNewGetsAFreshOne() {
        Profile p = Profile.firstRun();
        assertThat(new ProfileEditViewModel(p).result().id()).isEqualTo(p.id());
        ProfileEditViewModel fresh = new ProfileEditViewModel(null);
        assertThat(fresh.isNew()).isTrue();
        assertThat(fresh.validBinding().get()).as("a new form starts valid").isTrue();
        assertThat(fresh.result().id()).isNotEqualTo(p.id()).isNotEqualTo("new");
    }
}
