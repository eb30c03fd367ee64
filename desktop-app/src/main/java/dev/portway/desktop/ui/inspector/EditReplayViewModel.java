package dev.portway.desktop.ui.inspector;

import dev.portway.desktop.engine.CapturedBody;
import dev.portway.shared.protocol.Header;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * "Edit and replay": the captured request's method, path, headers (one {@code Name: value} a line) and body as
 * editable text, each validated as it changes with a message that says what is wrong. No toolkit needed.
 */
public final class EditReplayViewModel {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final List<String> NO_BODY = List.of("GET", "HEAD");

    private final StringProperty method = new SimpleStringProperty();
    private final StringProperty path = new SimpleStringProperty();
    private final StringProperty headers = new SimpleStringProperty();
    private final StringProperty body = new SimpleStringProperty();
    private final StringProperty bodyNote = new SimpleStringProperty("");
    private final StringBinding methodProblem;
    private final StringBinding pathProblem;
    private final StringBinding headersProblem;
    private final StringBinding bodyProblem;
    private final BooleanBinding valid;
    /** The body as captured and the pretty form shown for it: while the body reads as shown, the captured bytes are sent. */
    private byte[] capturedBytes;
    private String shownPretty;

    public EditReplayViewModel(Exchange x) {
        method.set(x.event().method());
        path.set(x.event().path());
        StringBuilder h = new StringBuilder();
        for (Header header : ReplayRequest.sendable(x.capture().requestHeaders())) {
            h.append(header.name()).append(": ").append(header.value()).append('\n');
        }
        headers.set(h.toString());
        CapturedBody b = x.capture().requestBody();
        String text = b.bytes().length == 0 ? "" : BodyText.decode(b.bytes(), StandardCharsets.UTF_8, b.truncated());
        if (text == null || BodyText.looksBinary(text)) {
            body.set("");
            bodyNote.set("The captured body is binary (" + BodyText.size(b.size()) + ") and cannot be edited as text: type a new one or send none.");
        } else {
            BodyText.Rendered pretty = BodyText.render(b, x.capture().requestHeaders());
            if (pretty.kind() == BodyText.Kind.JSON && !pretty.text().equals(text)) {
                capturedBytes = b.bytes();
                shownPretty = pretty.text();
                body.set(shownPretty);
                bodyNote.set("Shown pretty-printed; sent byte for byte as captured unless you edit it (a signature stays valid).");
            } else {
                body.set(text);
            }
            if (b.truncated()) {
                bodyNote.set(b.bytes().length == 0 ? "The body (" + BodyText.size(b.size()) + ") was not captured: type the one to send."
                        : "Only the first " + BodyText.size(b.bytes().length) + " of " + BodyText.size(b.size())
                        + " were captured: this is what will be sent.");
            }
        }
        methodProblem = Bindings.createStringBinding(() -> checkMethod(method.get()), method);
        pathProblem = Bindings.createStringBinding(() -> checkPath(path.get()), path);
        headersProblem = Bindings.createStringBinding(() -> checkHeaders(headers.get()), headers);
        bodyProblem = Bindings.createStringBinding(() -> checkBody(method.get(), body.get()), method, body);
        valid = Bindings.createBooleanBinding(() -> methodProblem.get().isEmpty() && pathProblem.get().isEmpty()
                && headersProblem.get().isEmpty() && bodyProblem.get().isEmpty(), methodProblem, pathProblem, headersProblem, bodyProblem);
    }

    static String checkMethod(String m) {
        if (m == null || m.isBlank()) {
            return "Enter a method, such as GET or POST.";
        }
        return TOKEN.matcher(m.strip()).matches() ? "" : "A method is one word of letters, digits or !#$%&'*+.^_`|~- — no spaces.";
    }

    static String checkPath(String p) {
        if (p == null || !p.startsWith("/")) {
            return "The path must start with /, e.g. /hooks/stripe?retry=1.";
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return "The path cannot contain spaces or control characters — write a space as %20.";
            }
        }
        return "";
    }

    static String checkHeaders(String text) {
        String[] lines = text == null ? new String[0] : text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !TOKEN.matcher(line.substring(0, colon).strip()).matches() || line.substring(0, colon).strip().length() != colon) {
                return "Line " + (i + 1) + " is not a header: write it as Name: value.";
            }
        }
        return "";
    }

    static String checkBody(String m, String b) {
        if (b != null && !b.isEmpty() && m != null && NO_BODY.contains(m.strip())) {
            return m.strip() + " requests cannot carry a body here — clear the body or use another method, such as POST.";
        }
        return "";
    }

    /** The request to send; call only while {@link #validBinding()} is true. */
    public ReplayRequest request() {
        List<Header> list = new ArrayList<>();
        for (String line : headers.get().split("\n")) {
            String l = line.strip();
            if (!l.isEmpty()) {
                int colon = l.indexOf(':');
                list.add(new Header(l.substring(0, colon), l.substring(colon + 1).strip()));
            }
        }
        byte[] bytes = shownPretty != null && shownPretty.equals(body.get()) ? capturedBytes
                : body.get() == null ? new byte[0] : body.get().getBytes(StandardCharsets.UTF_8);
        return new ReplayRequest(method.get().strip(), path.get(), ReplayRequest.sendable(list), bytes);
    }

    public StringProperty methodProperty() {
        return method;
    }

    public StringProperty pathProperty() {
        return path;
    }

    public StringProperty headersProperty() {
        return headers;
    }

    public StringProperty bodyProperty() {
        return body;
    }

    public ReadOnlyStringProperty bodyNoteProperty() {
        return bodyNote;
    }

    public StringBinding methodProblemBinding() {
        return methodProblem;
    }

    public StringBinding pathProblemBinding() {
        return pathProblem;
    }

    public StringBinding headersProblemBinding() {
        return headersProblem;
    }

    public StringBinding bodyProblemBinding() {
        return bodyProblem;
    }

    public BooleanBinding validBinding() {
        return valid;
    }
}
