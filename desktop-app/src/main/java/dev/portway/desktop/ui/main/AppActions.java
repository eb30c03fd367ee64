package dev.portway.desktop.ui.main;

/**
 * What the app menu and shortcuts do beyond the main view: windows and quitting, provided by the composition root.
 *
 * @param showLog   opens the log window
 * @param showAbout opens the About box
 * @param quit      closes the window the way its close button does (tunnels closed, bounds saved)
 */
public record AppActions(Runnable showLog, Runnable showAbout, Runnable quit) {
}
