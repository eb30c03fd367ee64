package dev.portway.desktop.ui.share;

import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;

/**
 * A QR code drawn black on white whatever the theme (cameras read dark on light best), whole modules of
 * {@code moduleSize} px each so no module blurs.
 */
public final class QrView extends Canvas {
    public QrView(QrCode code, double targetSize) {
        int n = code.size();
        int module = Math.max(2, (int) Math.floor(targetSize / n));
        setWidth(n * module);
        setHeight(n * module);
        GraphicsContext g = getGraphicsContext2D();
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, getWidth(), getHeight());
        g.setFill(Color.BLACK);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                if (code.dark(x, y)) {
                    g.fillRect(x * module, y * module, module, module);
                }
            }
        }
    }
}
