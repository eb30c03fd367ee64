package dev.portway.desktop;

import dev.portway.desktop.engine.EngineConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code inspector.captureBytes} setting as the app reads it at start, and the engine's bound on it. */
class CaptureSettingTest {
    @Test
    void missingOrBadSettingFallsBackToTheDefault() {
        assertThat(DesktopApp.captureBytes(null)).isEqualTo(EngineConfig.DEFAULT_CAPTURE_LIMIT);
        assertThat(DesktopApp.captureBytes("lots")).isEqualTo(EngineConfig.DEFAULT_CAPTURE_LIMIT);
        assertThat(DesktopApp.captureBytes("-1")).isEqualTo(EngineConfig.DEFAULT_CAPTURE_LIMIT);
        assertThat(DesktopApp.captureBytes(String.valueOf(EngineConfig.MAX_CAPTURE_LIMIT + 1))).isEqualTo(EngineConfig.DEFAULT_CAPTURE_LIMIT);
    }

    @Test
    void validSettingIsUsed() {
        assertThat(DesktopApp.captureBytes("0")).isZero();
        assertThat(DesktopApp.captureBytes(" 16384 ")).isEqualTo(16384);
    }

    @Test
    void engineConfigRefusesALimitOutOfRange() {
        EngineConfig c = EngineConfig.of(java.net.URI.create("ws://localhost:8080"), "t", java.util.List.of());
        assertThat(c.captureLimit()).isEqualTo(64 * 1024);
        assertThat(c.withCaptureLimit(0).captureLimit()).isZero();
        assertThatThrownBy(() -> c.withCaptureLimit(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("captureLimit");
    }
}
