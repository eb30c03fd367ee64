package dev.portway.desktop.ui.common;

import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** Feather icons at the app's sizes. */
public final class Icons {
    private Icons() {
    }

    public static FontIcon of(Feather icon) {
        return new FontIcon(icon);
    }

    public static FontIcon large(Feather icon) {
        FontIcon i = new FontIcon(icon);
        i.setIconSize(20);
        return i;
    }
}
