package dev.portway.desktop.ui.profiles;

import dev.portway.desktop.profiles.OptionsDraft;
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

    @Test
    void optionFieldsAreCheckedAsTypedAndSavedAsBindOptions() {
        Profile p = new Profile("id1", "Hooks", Profile.Kind.HTTP, "localhost", 3000, Profile.RelayMode.EMBEDDED, null, null,
                null, java.util.Map.of("strict_name", "true"), false);
        ProfileEditViewModel vm = new ProfileEditViewModel(p);
        assertThat(vm.httpBinding().get()).isTrue();

        vm.authUserProperty().set("ann");
        assertThat(vm.problemProperty(OptionsDraft.Field.BASIC_AUTH).get()).startsWith("Enter a password as well");
        assertThat(vm.validBinding().get()).isFalse();
        vm.authPasswordProperty().set("hunter2");
        vm.ipAllowProperty().set("10.0.0.0/8, 300.1.1.1");
        assertThat(vm.problemProperty(OptionsDraft.Field.BASIC_AUTH).get()).isEmpty();
        assertThat(vm.problemProperty(OptionsDraft.Field.IP_ALLOW).get()).startsWith("“300.1.1.1” is not an IP address");
        assertThat(vm.validBinding().get()).isFalse();
        vm.ipAllowProperty().set("10.0.0.0/8, 2001:db8::/32");
        vm.rewriteHostProperty().set(true);
        assertThat(vm.validBinding().get()).isTrue();
        // the relay does not queue requests for a protected tunnel (PROTOCOL.md §4.1): the form says so at once
        vm.queueProperty().set(true);
        assertThat(vm.problemProperty(OptionsDraft.Field.BASIC_AUTH).get()).contains("cannot queue");
        assertThat(vm.problemProperty(OptionsDraft.Field.IP_ALLOW).get()).contains("cannot queue");
        assertThat(vm.validBinding().get()).isFalse();
        vm.queueProperty().set(false);
        assertThat(vm.validBinding().get()).isTrue();

        assertThat(vm.result().options()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("strict_name", "true",
                "basic_auth", "ann:hunter2", "ip_allow", "10.0.0.0/8,2001:db8::/32", "host_header", "rewrite"));
        // and the form reads them back
        ProfileEditViewModel again = new ProfileEditViewModel(vm.result());
        assertThat(again.authUserProperty().get()).isEqualTo("ann");
        assertThat(again.authPasswordProperty().get()).isEqualTo("hunter2");
        assertThat(again.rewriteHostProperty().get()).isTrue();

        // a queued tunnel without protection keeps its priority
        again.authUserProperty().set("");
        again.authPasswordProperty().set("");
        again.ipAllowProperty().set("");
        again.queueProperty().set(true);
        again.queuePriorityProperty().set("high");
        assertThat(again.validBinding().get()).isTrue();
        assertThat(again.result().options()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("strict_name", "true",
                "queue", "on", "queue_priority", "high", "host_header", "rewrite"));
        assertThat(new ProfileEditViewModel(again.result()).queuePriorityProperty().get()).isEqualTo("high");
    }

    @Test
    void aTcpProfileKeepsOnlyTheOptionsThatApplyToIt() {
        ProfileEditViewModel vm = new ProfileEditViewModel(Profile.firstRun());
        vm.queueProperty().set(true);
        vm.authUserProperty().set("ann");
        vm.authPasswordProperty().set("pw");
        vm.ipAllowProperty().set("192.0.2.1");
        vm.kindProperty().set(Profile.Kind.TCP);

        assertThat(vm.httpBinding().get()).isFalse();
        assertThat(vm.result().options()).containsExactlyEntriesOf(java.util.Map.of("ip_allow", "192.0.2.1"));
    }
}
