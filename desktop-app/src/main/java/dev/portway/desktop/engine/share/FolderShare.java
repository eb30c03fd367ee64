package dev.portway.desktop.engine.share;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A shared folder: the engine answers the tunnel's requests itself from {@code root} (no local app, no socket).
 * Configured by engine-only tunnel options, never sent to the relay: {@code folder} (the directory),
 * {@code folder_listing} ({@code on}/{@code off}, default on) and {@code folder_spa} ({@code on}/{@code off}, default
 * off: unknown paths without an extension get the fallback file, for single-page apps) and {@code folder_fallback}
 * (that file, a path inside the folder; default {@code index.html}).
 *
 * @param root     the folder's real path (symlinks resolved): nothing outside it is ever served
 * @param fallback the SPA fallback file relative to {@code root}, e.g. {@code index.html} or {@code app/shell.html}
 */
public record FolderShare(Path root, boolean listing, boolean spa, String fallback) {
    public static final String OPTION_FOLDER = "folder";
    public static final String OPTION_LISTING = "folder_listing";
    public static final String OPTION_SPA = "folder_spa";
    public static final String OPTION_FALLBACK = "folder_fallback";
    public static final String DEFAULT_FALLBACK = "index.html";

    /** A share whose SPA fallback is {@code index.html}. */
    public FolderShare(Path root, boolean listing, boolean spa) {
        this(root, listing, spa, DEFAULT_FALLBACK);
    }

    /** True for the options only this engine reads (they are not sent with the bind). */
    public static boolean isEngineOption(String key) {
        return key.equals(OPTION_FOLDER) || key.equals(OPTION_LISTING) || key.equals(OPTION_SPA) || key.equals(OPTION_FALLBACK);
    }

    /**
     * @return the share the options describe, or null when they name no folder
     * @throws IllegalArgumentException with a message for the user when the folder cannot be shared
     */
    public static FolderShare of(Map<String, String> options) {
        String dir = options.get(OPTION_FOLDER);
        if (dir == null) {
            return null;
        }
        Path real;
        try {
            real = Path.of(dir).toRealPath();
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("Folder " + dir + " does not exist — check the path.");
        }
        if (!Files.isDirectory(real)) {
            throw new IllegalArgumentException(dir + " is a file, not a folder — share the folder it is in.");
        }
        if (!Files.isReadable(real)) {
            throw new IllegalArgumentException("Folder " + dir + " cannot be read by this user — check its permissions.");
        }
        return new FolderShare(real, onOff(options, OPTION_LISTING, true), onOff(options, OPTION_SPA, false),
                fallback(options.getOrDefault(OPTION_FALLBACK, DEFAULT_FALLBACK)));
    }

    /** {@code name} when it names a file inside the folder the way a visitor's path could ({@link SharePath}). */
    private static String fallback(String name) {
        String n = name.strip();
        if (n.isEmpty() || n.startsWith("/") || n.endsWith("/")
                || !(SharePath.parse("/" + n) instanceof SharePath.Parsed p) || p.segments().isEmpty()
                || !String.join("/", p.segments()).equals(n)) {
            throw new IllegalArgumentException("The fallback file \"" + name + "\" must be a file in the shared folder, like"
                    + " index.html or app/index.html (no .., no hidden names).");
        }
        return n;
    }

    private static boolean onOff(Map<String, String> options, String key, boolean dflt) {
        String v = options.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.equals("on") && !v.equals("off")) {
            throw new IllegalArgumentException("The option " + key + " must be on or off, not \"" + v + "\".");
        }
        return v.equals("on");
    }
}
