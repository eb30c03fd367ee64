package dev.portway.desktop;

import dev.portway.desktop.profiles.DataDirs;
import dev.portway.desktop.profiles.ProfilesCommand;
import dev.portway.desktop.selftest.SelfTest;
import dev.portway.desktop.startup.ClassArchive;
import dev.portway.desktop.startup.GtkGl;
import javafx.application.Application;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;

/**
 * Starts the desktop app. Not an {@link Application} itself: with JavaFX on the class path (not the
 * module path), the class named as main must not extend Application.
 *
 * <p>With {@code --export FILE} or {@code --import FILE} it opens no window: it runs {@link ProfilesCommand}
 * against the data dir and exits with its code. With {@code --self-test} it opens no window either: it runs
 * {@link SelfTest} (embedded relay, sample profile, a page fetched through the public URL) and exits with its code;
 * no display is needed.
 */
public final class PortwayDesktop {
    private PortwayDesktop() {
    }

    public static void main(String[] args) {
        List<String> list = List.of(args);
        if (SelfTest.wanted(list) || ProfilesCommand.wanted(list)) {
            // These exit by themselves, with the launchers' archive flags too: the folder must exist or the exit fails.
            ClassArchive.prepare();
        }
        if (SelfTest.wanted(list)) {
            System.exit(SelfTest.run(list, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
        }
        if (ProfilesCommand.wanted(list)) {
            System.exit(ProfilesCommand.run(list, DataDirs.resolve(list), Clock.systemUTC(),
                    new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
        }
        GtkGl.disableProbe(); // before JavaFX starts GTK
        Application.launch(DesktopApp.class, args);
        System.exit(DesktopApp.exitCode());
    }
}
