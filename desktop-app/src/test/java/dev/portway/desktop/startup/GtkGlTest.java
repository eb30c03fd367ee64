package dev.portway.desktop.startup;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GtkGlTest {
    @Test
    void onlyLinuxWithoutAValueOfItsOwnGetsTheVariable() {
        assertThat(GtkGl.wanted("Linux", Map.of())).isTrue();
        assertThat(GtkGl.wanted("Linux", Map.of("GDK_GL", "always"))).isFalse();
        assertThat(GtkGl.wanted("Mac OS X", Map.of())).isFalse();
        assertThat(GtkGl.wanted("Windows 11", Map.of())).isFalse();
    }

    @Test
    void theVariableReachesTheProcessEnvironmentAndAValueAlreadyThereIsKept() {
        String name = "PORTWAY_GTKGL_TEST_" + ProcessHandle.current().pid();
        assertThat(GtkGl.getenv(name)).isNull();
        assertThat(GtkGl.setenv(name, "disable")).isTrue();
        assertThat(GtkGl.getenv(name)).isEqualTo("disable");
        assertThat(GtkGl.setenv(name, "other")).isTrue(); // overwrite = 0: the first value stays
        assertThat(GtkGl.getenv(name)).isEqualTo("disable");
    }
}
