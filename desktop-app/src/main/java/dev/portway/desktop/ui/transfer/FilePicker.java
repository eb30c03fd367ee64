package dev.portway.desktop.ui.transfer;

import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;

/** Where to export to and what to import: the system's file dialogs, or in tests a fixed answer. FX thread. */
public interface FilePicker {
    Optional<Path> exportTo(Window owner);

    Optional<Path> importFrom(Window owner);

    /** The platform's file dialogs, filtered to {@code *.json}. */
    static FilePicker system() {
        return new FilePicker() {
            @Override
            public Optional<Path> exportTo(Window owner) {
                FileChooser c = chooser("Export profiles");
                c.setInitialFileName("portway-profiles.json");
                return Optional.ofNullable(c.showSaveDialog(owner)).map(File::toPath);
            }

            @Override
            public Optional<Path> importFrom(Window owner) {
                return Optional.ofNullable(chooser("Import profiles").showOpenDialog(owner)).map(File::toPath);
            }

            private FileChooser chooser(String title) {
                FileChooser c = new FileChooser();
                c.setTitle(title);
                java.io.File home = new java.io.File(System.getProperty("user.home"));
                if (home.isDirectory()) {
                    c.setInitialDirectory(home); // not the working directory, which for an installed app means nothing
                }
                c.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("Portway profiles (*.json)", "*.json"),
                        new FileChooser.ExtensionFilter("All files", "*"));
                return c;
            }
        };
    }
}
