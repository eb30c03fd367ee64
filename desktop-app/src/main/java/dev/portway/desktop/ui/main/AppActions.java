package dev.portway.desktop.ui.main;

/**
 * What the app menu and shortcuts do beyond the main view: windows and quitting, provided by the composition root.
 *
 * @param showLog   opens the log window
 * @param showAbout opens the About box
 * @param quit      closes the window the way its close button does (tunnels closed, bounds saved)
 * @param setUpRelay opens "Set up my own relay…" (relay-lite on the user's server over SSH)
 */
public record AppActions(Runnable showLog, Runnable showAbout, Runnable quit, Runnable setUpRelay) {
}
