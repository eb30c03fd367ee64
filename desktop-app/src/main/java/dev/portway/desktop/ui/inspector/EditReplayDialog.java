package dev.portway.desktop.ui.inspector;

import atlantafx.base.theme.Styles;
import javafx.beans.binding.StringBinding;
import javafx.scene.Node;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import java.util.function.Consumer;

/** "Edit and replay": method, path, headers and body, each checked as it is typed; Send stays off while anything is wrong. */
final class EditReplayDialog {
    private final EditReplayViewModel vm;
    private final Dialog<ButtonType> dialog = new Dialog<>();
    private final ButtonType send = new ButtonType("Send", ButtonBar.ButtonData.OK_DONE);

    EditReplayDialog(EditReplayViewModel vm, Window owner) {
        this.vm = vm;
        dialog.initOwner(owner);
        dialog.setTitle("Edit and replay");
        dialog.setHeaderText("Sent straight to the local target, not through the relay.");
        dialog.getDialogPane().getButtonTypes().setAll(ButtonType.CANCEL, send);
        dialog.getDialogPane().lookupButton(send).setId("replaySendButton");
        dialog.getDialogPane().lookupButton(send).disableProperty().bind(vm.validBinding().not());

        TextField method = new TextField();
        method.setId("replayMethod");
        method.setPrefColumnCount(8);
        method.textProperty().bindBidirectional(vm.methodProperty());
        TextField path = new TextField();
        path.setId("replayPath");
        path.textProperty().bindBidirectional(vm.pathProperty());
        TextArea headers = new TextArea();
        headers.setId("replayHeaders");
        headers.setPrefRowCount(6);
        headers.setWrapText(true);
        headers.textProperty().bindBidirectional(vm.headersProperty());
        TextArea body = new TextArea();
        body.setId("replayBody");
        body.setPrefRowCount(12);
        body.setWrapText(true);
        body.textProperty().bindBidirectional(vm.bodyProperty());
        for (TextInputControl c : new TextInputControl[]{method, path, headers, body}) {
            c.setStyle("-fx-font-family: monospace;");
        }
        Label bodyNote = new Label();
        bodyNote.textProperty().bind(vm.bodyNoteProperty());
        bodyNote.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        bodyNote.setWrapText(true);

        GridPane grid = new GridPane(10, 4);
        int row = 0;
        grid.addRow(row++, new Label("Method"), field(method, vm.methodProblemBinding(), "replayMethodProblem"));
        grid.addRow(row++, new Label("Path"), field(path, vm.pathProblemBinding(), "replayPathProblem"));
        grid.addRow(row++, new Label("Headers"), field(headers, vm.headersProblemBinding(), "replayHeadersProblem"));
        grid.addRow(row, new Label("Body"), field(new VBox(4, body, bodyNote), vm.bodyProblemBinding(), "replayBodyProblem"));
        GridPane.setHgrow(grid.getChildren().get(1), Priority.ALWAYS);
        dialog.getDialogPane().setContent(grid);
        dialog.getDialogPane().setPrefWidth(640);
        dialog.setResizable(true);
    }

    private static VBox field(Node input, StringBinding problem, String id) {
        Label l = new Label();
        l.setId(id);
        // The message keeps its line while there is none (a no-break space): the fields below never move as the person types.
        l.textProperty().bind(javafx.beans.binding.Bindings.when(problem.isEmpty()).then("\u00a0").otherwise(problem));
        l.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.DANGER);
        l.setWrapText(true);
        l.visibleProperty().bind(problem.isNotEmpty());
        VBox box = new VBox(2, input, l);
        GridPane.setHgrow(box, Priority.ALWAYS);
        return box;
    }

    /** Shows the dialog without blocking; {@code onSend} gets the request when the person clicks Send. */
    void open(Consumer<ReplayRequest> onSend) {
        dialog.resultProperty().addListener((o, was, now) -> {
            if (now == send && vm.validBinding().get()) {
                onSend.accept(vm.request());
            }
        });
        dialog.show();
    }
}
