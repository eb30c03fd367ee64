package dev.portway.desktop.ui.main;

/**
 * What the app menu and shortcuts do beyond the main view: windows and quitting, provided by the composition root.
 *
 * @param showLog   opens the log window
 * @param showAbout opens the About box
 * @param quit      quits: every tunnel and the embedded relay closed, bounds saved
 * @param startAtLogin the "Start at login" setting (the app writes or removes the desktop's entry); null for none
 * @param setUpRelay opens "Set up my own relay…" (relay-lite on the user's server over SSH); null for none
 */
public record AppActions(Runnable showLog, Runnable showAbout, Runnable quit, javafx.beans.property.BooleanProperty startAtLogin,
                         Runnable setUpRelay) {
    public AppActions(Runnable showLog, Runnable showAbout, Runnable quit) {
        this(showLog, showAbout, quit, null, null);
    }
}
