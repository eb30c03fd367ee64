package dev.portway.desktop;

import javafx.application.Application;

/**
 * Starts the desktop app. Not an {@link Application} itself: with JavaFX on the class path (not the
 * module path), the class named as main must not extend Application.
 */
public final class PortwayDesktop {
    private PortwayDesktop() {
    }

    public static void main(String[] args) {
        Application.launch(DesktopApp.class, args);
        System.exit(DesktopApp.exitCode());
    }
}
