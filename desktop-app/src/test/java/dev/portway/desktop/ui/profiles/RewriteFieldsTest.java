package dev.portway.desktop.ui.profiles;

import dev.portway.desktop.profiles.Profile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RewriteFieldsTest {
    private static Profile http(Map<String, String> options) {
        return new Profile("id1", "Shop", Profile.Kind.HTTP, "localhost", 3000, Profile.RelayMode.EMBEDDED, null, null,
                null, options, false);
    }

    @Test
    void rewritingIsOnByDefaultAndSendsNoOption() {
        ProfileEditViewModel vm = new ProfileEditViewModel(http(Map.of("strict_name", "true")));
        assertThat(vm.rewrite().redirectsProperty().get()).isTrue();
        assertThat(vm.rewrite().cookiesProperty().get()).isTrue();
        assertThat(vm.result().options()).isEqualTo(Map.of("strict_name", "true"));
    }

    @Test
    void untickedBoxesBecomeBindOptionsAndComeBackWhenEdited() {
        ProfileEditViewModel vm = new ProfileEditViewModel(http(Map.of()));
        vm.rewrite().redirectsProperty().set(false);
        vm.rewrite().cookiesProperty().set(false);
        vm.rewrite().hideServerProperty().set(true);
        Profile saved = vm.result();
        assertThat(saved.options()).isEqualTo(Map.of("rewrite_redirects", "off", "rewrite_cookies", "off",
                "strip_headers", "Server,X-Powered-By"));

        ProfileEditViewModel again = new ProfileEditViewModel(saved);
        assertThat(again.rewrite().redirectsProperty().get()).isFalse();
        assertThat(again.rewrite().hideServerProperty().get()).isTrue();
        again.rewrite().hideServerProperty().set(false);
        assertThat(again.result().options()).doesNotContainKey("strip_headers");
    }

    @Test
    void aTcpProfileSendsNoRewriteOptions() {
        ProfileEditViewModel vm = new ProfileEditViewModel(http(Map.of("rewrite_cookies", "off")));
        vm.kindProperty().set(Profile.Kind.TCP);
        assertThat(vm.result().options()).doesNotContainKey("rewrite_cookies");
    }
}
