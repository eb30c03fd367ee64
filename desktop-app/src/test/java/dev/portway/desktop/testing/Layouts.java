package dev.portway.desktop.testing;

import dev.portway.desktop.ui.common.PngEncoder;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.Labeled;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.text.Text;
import org.testfx.api.FxRobot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** What the layout tests look for in a scene: text cut to "…", controls outside the window; and PNGs to look at. */
public final class Layouts {
    private Layouts() {
    }

    /** Buttons whose text the layout cut to "…" (their text node shows less than their text). */
    public static List<String> cutButtons(Scene scene) {
        List<String> cut = new ArrayList<>();
        walk(scene.getRoot(), n -> {
            if (n instanceof ButtonBase b && b.getText() != null && !b.getText().isEmpty() && visibleInScene(b)) {
                Text shown = (Text) b.lookup(".text");
                if (shown != null && !b.getText().equals(shown.getText())) {
                    cut.add(b.getText() + " → " + shown.getText());
                }
            }
        });
        return cut;
    }

    /** Every visible label, button or check box whose text is cut ("…"), with what it shows. */
    public static List<String> cutTexts(Scene scene) {
        List<String> cut = new ArrayList<>();
        walk(scene.getRoot(), n -> {
            if (n instanceof Labeled l && l.getText() != null && !l.getText().isEmpty() && visibleInScene(l) && !l.isWrapText()) {
                Text shown = (Text) l.lookup(".text");
                if (shown != null && !l.getText().equals(shown.getText())) {
                    cut.add(l.getText() + " → " + shown.getText());
                }
            }
        });
        return cut;
    }

    /** The controls among {@code ids} that are missing, hidden, or not wholly inside the scene. */
    public static List<String> notFullyShown(Scene scene, String... ids) {
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            Node n = scene.lookup(id);
            if (n == null || !visibleInScene(n)) {
                out.add(id + " not shown");
                continue;
            }
            Bounds b = n.localToScene(n.getLayoutBounds());
            if (b.getMinX() < -0.5 || b.getMinY() < -0.5 || b.getMaxX() > scene.getWidth() + 0.5 || b.getMaxY() > scene.getHeight() + 0.5
                    || b.getWidth() < 1 || b.getHeight() < 1) {
                out.add(id + " at " + b + " in " + scene.getWidth() + "x" + scene.getHeight());
            }
        }
        return out;
    }

    /**
     * Waits (up to 10 s) until a newly shown window's scene has settled: no parent waits for a layout pass and every
     * node's bounds are the same on two looks in a row. On a loaded machine a dialog can be found visible before the
     * pulse that styles and lays it out has run (its buttons still unpadded, outside the window); a person sees the
     * window one frame later, so that is what the layout checks must look at.
     */
    public static void awaitSettled(Scene scene) {
        List<String> last = new ArrayList<>();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> {
                    List<String> now = org.testfx.util.WaitForAsyncUtils.asyncFx(() -> layoutState(scene)).get();
                    boolean same = now != null && now.equals(last);
                    last.clear();
                    if (now != null) {
                        last.addAll(now);
                    }
                    return same;
                });
    }

    /** Every node's bounds in the scene, or null while some parent still needs a layout pass. FX thread. */
    private static List<String> layoutState(Scene scene) {
        List<String> state = new ArrayList<>();
        boolean[] pending = new boolean[1];
        state.add(scene.getWidth() + "x" + scene.getHeight());
        walk(scene.getRoot(), n -> {
            if (n instanceof Parent p && p.isNeedsLayout()) {
                pending[0] = true;
            }
            state.add(String.valueOf(n.localToScene(n.getLayoutBounds())));
        });
        return pending[0] ? null : state;
    }

    public static boolean visibleInScene(Node n) {
        if (n.getScene() == null) {
            return false;
        }
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    public static void walk(Node n, Consumer<Node> each) {
        each.accept(n);
        if (n instanceof Parent p) {
            for (Node c : p.getChildrenUnmodifiable()) {
                walk(c, each);
            }
        }
    }

    /** The scene as a PNG file (snapshot on the FX thread, encoded here). */
    public static void savePng(FxRobot robot, Scene scene, Path file) throws IOException {
        WritableImage[] image = new WritableImage[1];
        robot.interact(() -> image[0] = scene.snapshot(null));
        int w = (int) image[0].getWidth();
        int h = (int) image[0].getHeight();
        int[] argb = new int[w * h];
        image[0].getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, PngEncoder.encode(w, h, argb));
    }
}
