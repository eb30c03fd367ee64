package dev.portway.desktop.ui.common;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.TableColumn;

import java.util.function.Function;

/** Table pieces shared by the views. */
public final class Tables {
    private Tables() {
    }

    /** A fixed, unsortable text column whose cells show {@code value} of the row. */
    public static <R> TableColumn<R, String> textColumn(String name, Function<R, String> value, double pref, double max) {
        TableColumn<R, String> c = new TableColumn<>(name);
        c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
        c.setSortable(false);
        c.setReorderable(false);
        c.setPrefWidth(pref);
        c.setMinWidth(pref);
        c.setMaxWidth(max);
        return c;
    }
}
