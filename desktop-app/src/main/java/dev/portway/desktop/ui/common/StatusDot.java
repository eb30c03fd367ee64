package dev.portway.desktop.ui.common;

import dev.portway.desktop.engine.EngineState;
import javafx.beans.value.ObservableValue;
import javafx.scene.layout.Region;

import java.util.Locale;

/** A small round dot coloured by engine state (style classes {@code status-dot} and the state in lower case). */
public final class StatusDot extends Region {
    public StatusDot(ObservableValue<EngineState> state) {
        this(state, null);
    }

    /**
     * @param targetDown true while connected but the local target is not healthy: adds style class {@code target-down}
     *                   (amber); null for none
     */
    public StatusDot(ObservableValue<EngineState> state, ObservableValue<Boolean> targetDown) {
        getStyleClass().add("status-dot");
        this.down = targetDown;
        if (targetDown != null) {
            showDown(Boolean.TRUE.equals(targetDown.getValue()));
            targetDown.addListener(new javafx.beans.value.WeakChangeListener<>(keepDown));
        }
        show(state.getValue());
        // A plain listener would keep this dot (and its list cell) alive as long as the state property lives.
        state.addListener(new javafx.beans.value.WeakChangeListener<>(keep));
        this.source = state;
    }

    private final ObservableValue<EngineState> source;
    private final javafx.beans.value.ChangeListener<EngineState> keep = (o, was, now) -> show(now);
    private final ObservableValue<Boolean> down;
    private final javafx.beans.value.ChangeListener<Boolean> keepDown = (o, was, now) -> showDown(Boolean.TRUE.equals(now));

    private void showDown(boolean isDown) {
        getStyleClass().remove("target-down");
        if (isDown) {
            getStyleClass().add("target-down");
        }
    }

    private void show(EngineState s) {
        getStyleClass().removeIf(c -> c.startsWith("state-"));
        getStyleClass().add("state-" + s.name().toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return "StatusDot[" + source.getValue() + "]";
    }
}
