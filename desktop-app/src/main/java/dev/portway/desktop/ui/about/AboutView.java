package dev.portway.desktop.ui.about;

import atlantafx.base.theme.Styles;
import dev.portway.desktop.diagnostics.AppInfo;
import dev.portway.desktop.ui.common.Icons;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;

import java.util.function.Consumer;

/** The About box: name, version from the build, protocol, Java, JavaFX, OS, the data folder (open or copy), licenses. */
public final class AboutView extends VBox {

    /**
     * @param openFolder opens a {@code file:} URI in the system's file manager
     * @param clipboard  copies text
     */
    public AboutView(AppInfo info, Consumer<String> openFolder, Consumer<String> clipboard) {
        setSpacing(14);
        setPadding(new Insets(8, 4, 4, 4));
        Label name = new Label(AppInfo.NAME, Icons.large(Feather.SHARE_2));
        name.getStyleClass().add(Styles.TITLE_2);
        Label version = new Label("Version " + info.version());
        version.setId("aboutVersion");
        version.getStyleClass().add(Styles.TEXT_MUTED);

        GridPane facts = new GridPane();
        facts.setHgap(14);
        facts.setVgap(6);
        int row = 0;
        for (String[] f : new String[][]{{"Protocol", String.valueOf(info.protocol())}, {"Java", info.java()},
                {"JavaFX", info.javafx()}, {"OS", info.os()}}) {
            Label k = new Label(f[0]);
            k.getStyleClass().add(Styles.TEXT_MUTED);
            Label v = new Label(f[1]);
            v.setId("about" + f[0]);
            facts.addRow(row++, k, v);
        }
        Label folderKey = new Label("Data folder");
        folderKey.getStyleClass().add(Styles.TEXT_MUTED);
        Hyperlink folder = new Hyperlink(info.dataDir().toString());
        folder.setId("aboutDataDir");
        folder.setTooltip(new Tooltip("Open in the file manager"));
        folder.setOnAction(e -> openFolder.accept(info.dataDir().toUri().toString()));
        Button copy = new Button(null, Icons.of(Feather.COPY));
        copy.setId("aboutCopyDataDir");
        copy.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT);
        copy.setTooltip(new Tooltip("Copy the path"));
        copy.setOnAction(e -> clipboard.accept(info.dataDir().toString()));
        HBox folderRow = new HBox(2, folder, copy);
        folderRow.setAlignment(Pos.CENTER_LEFT);
        facts.addRow(row, folderKey, folderRow);

        Label licenses = new Label(AppInfo.LICENSES);
        licenses.setWrapText(true);
        licenses.setMaxWidth(460);
        licenses.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        getChildren().addAll(new VBox(2, name, version), facts, licenses);
    }

    /** Shows the box as a dialog owned by {@code owner}; returns at once. */
    public static void show(Window owner, AboutView view) {
        Dialog<Void> d = new Dialog<>();
        d.setTitle("About Portway");
        d.initOwner(owner);
        d.getDialogPane().setContent(view);
        d.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        d.getDialogPane().setId("aboutDialog");
        d.show();
    }
}
