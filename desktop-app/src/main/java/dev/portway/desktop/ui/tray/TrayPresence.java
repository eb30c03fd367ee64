package dev.portway.desktop.ui.tray;

import com.dustinredmond.fxtrayicon.FXTrayIcon;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.ui.main.MainViewModel;
import dev.portway.desktop.ui.profiles.ProfileItemViewModel;
import javafx.beans.InvalidationListener;
import javafx.collections.ListChangeListener;
import javafx.scene.control.MenuItem;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;

/**
 * Portway in the system tray (menu bar on macOS), through FXTrayIcon over AWT's SystemTray: Connect or Disconnect for
 * every profile, Share a folder…, Open Portway, Quit. With it, closing the window only hides it — tunnels and the embedded relay keep
 * running, so webhooks still reach the relay's queue. Where the desktop has no tray (headless, GNOME without an
 * AppIndicator extension) {@link #install} returns null and the app keeps quitting on close.
 *
 * <p>FX thread only. The menu is rebuilt when profiles come or go or a connection changes state (a few a minute):
 * FXTrayIcon copies JavaFX menu items into AWT ones when they are added.
 */
public final class TrayPresence {
    private static final Logger LOG = LoggerFactory.getLogger(TrayPresence.class);

    private final FXTrayIcon icon;
    private final MainViewModel main;
    private final Runnable open;
    private final Runnable quit;
    private final List<MenuItem> added = new ArrayList<>();
    private final InvalidationListener rebuild = o -> rebuild();
    private boolean told;

    private TrayPresence(FXTrayIcon icon, MainViewModel main, Runnable open, Runnable quit) {
        this.icon = icon;
        this.main = main;
        this.open = open;
        this.quit = quit;
    }

    /** Whether this desktop has a system tray (false when headless). Loads AWT: call it after the first frame. */
    public static boolean supported() {
        try {
            return !java.awt.GraphicsEnvironment.isHeadless() && FXTrayIcon.isSupported();
        } catch (RuntimeException | LinkageError e) {
            LOG.info("no system tray: {}", e.toString());
            return false;
        }
    }

    /**
     * Puts Portway in the tray, or returns null (and logs why) when this desktop has none.
     *
     * @param open shows and raises the window
     * @param quit closes every tunnel and the embedded relay and exits
     */
    public static TrayPresence install(Stage stage, URL iconImage, MainViewModel main, Runnable open, Runnable quit) {
        if (!supported()) {
            LOG.info("this desktop has no system tray: closing the window quits Portway");
            return null;
        }
        FXTrayIcon icon = new FXTrayIcon(stage, iconImage);
        icon.setApplicationTitle("Portway");
        icon.setTrayIconTooltip("Portway");
        TrayPresence t = new TrayPresence(icon, main, open, quit);
        icon.setOnAction(e -> open.run());
        main.items().addListener((ListChangeListener<ProfileItemViewModel>) c -> t.rebuild());
        t.rebuild();
        icon.show();
        return t;
    }

    /** The window was closed but Portway keeps running: says so once, from the tray. */
    public void windowClosed() {
        if (!told) {
            told = true;
            icon.showInfoMessage("Portway is still running", "Your tunnels stay up. Quit from this icon's menu.");
        }
    }

    /** Takes the icon away (before quitting, so AWT lets the JVM end). */
    public void remove() {
        icon.hide();
    }

    /**
     * The tray's menu for the profiles now (what {@link #install} shows; also where a desktop has no tray, for tests).
     * "Share a folder…" first raises the window (it may be hidden in the tray), then opens the dialog over it, as the
     * app menu's item does.
     *
     * @param open shows and raises the window
     * @param quit closes every tunnel and the embedded relay and exits
     */
    public static List<MenuItem> menu(MainViewModel main, Runnable open, Runnable quit) {
        return items(main.items(), open, () -> {
            open.run();
            main.shareFolder();
        }, quit);
    }

    /** The menu items: Connect / Disconnect “name” for each profile, then Share a folder…, Open and Quit. */
    static List<MenuItem> items(List<ProfileItemViewModel> profiles, Runnable open, Runnable shareFolder, Runnable quit) {
        List<MenuItem> items = new ArrayList<>();
        for (ProfileItemViewModel p : profiles) {
            EngineState s = p.connection().stateProperty().get();
            boolean idle = s == EngineState.DISCONNECTED || s == EngineState.FAILED;
            MenuItem i = new MenuItem((idle ? "Connect " : "Disconnect ") + "“" + p.nameBinding().get() + "”");
            i.setOnAction(e -> p.connection().toggle());
            items.add(i);
        }
        MenuItem share = new MenuItem("Share a folder…");
        share.setOnAction(e -> shareFolder.run());
        items.add(share);
        MenuItem show = new MenuItem("Open Portway");
        show.setOnAction(e -> open.run());
        MenuItem exit = new MenuItem("Quit Portway");
        exit.setOnAction(e -> quit.run());
        items.add(show);
        items.add(exit);
        return items;
    }

    private void rebuild() {
        for (ProfileItemViewModel p : main.items()) {
            p.connection().stateProperty().removeListener(rebuild); // at most one each
            p.connection().stateProperty().addListener(rebuild);
            p.profileProperty().removeListener(rebuild);
            p.profileProperty().addListener(rebuild);
        }
        for (MenuItem i : added) {
            icon.removeMenuItem(i);
        }
        added.clear();
        List<MenuItem> now = menu(main, open, quit);
        icon.addMenuItems(now.toArray(MenuItem[]::new));
        added.addAll(now);
    }
}
