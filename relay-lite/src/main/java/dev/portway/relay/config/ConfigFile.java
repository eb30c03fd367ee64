package dev.portway.relay.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A relay config file: UTF-8 lines of {@code key = value}. Blank lines and lines starting with {@code #} or
 * {@code !} are ignored; whitespace around key and value is removed. Deliberately stricter than
 * {@link java.util.Properties}: no line continuations or escapes, every other line is an error with its line
 * number, a key may appear once, and a value may not be empty (remove the line to get the default).
 */
public final class ConfigFile {
    /** Files larger than this are not relay config files; refusing them keeps the reader bounded. */
    static final long MAX_BYTES = 1024 * 1024;
    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]*");

    /** One {@code key = value} line. */
    public record Entry(String key, String value, int line) {
    }

    private final Path path;
    private final Map<String, Entry> entries;

    private ConfigFile(Path path, Map<String, Entry> entries) {
        this.path = path;
        this.entries = Collections.unmodifiableMap(entries);
    }

    public Path path() {
        return path;
    }

    /** The entries in file order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    public static ConfigFile read(Path path) throws ConfigException {
        String text;
        try {
            if (Files.isDirectory(path)) {
                throw new ConfigException("The config file " + path + " is a directory — give the path of a .properties file.");
            }
            if (Files.size(path) > MAX_BYTES) {
                throw new ConfigException("The config file " + path + " is larger than 1 MiB — is it the right file?");
            }
            byte[] bytes = Files.readAllBytes(path);
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new ConfigException("The config file " + path + " does not exist — check the path given to --config "
                    + "(or PORTWAY_CONFIG).");
        } catch (CharacterCodingException e) {
            throw new ConfigException("The config file " + path + " is not UTF-8 text — save it as UTF-8.");
        } catch (IOException e) {
            throw new ConfigException("Cannot read the config file " + path + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ") — check its permissions.");
        }
        return parse(path, text);
    }

    static ConfigFile parse(Path path, String text) throws ConfigException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            int n = i + 1;
            String line = lines.get(i).strip();
            if (n == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new ConfigException(where(path, n) + ": \"" + shorten(line) + "\" is not a setting — write key = value "
                        + "(e.g. port = 8080), or start the line with # to make it a comment.");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (key.startsWith("--")) {
                throw new ConfigException(where(path, n) + ": write the key without dashes: " + key.substring(2) + " = " + value);
            }
            if (!KEY.matcher(key).matches()) {
                throw new ConfigException(where(path, n) + ": \"" + shorten(key) + "\" is not a valid key — keys are option "
                        + "names in lower case with dashes, e.g. data-dir.");
            }
            if (value.isEmpty()) {
                throw new ConfigException(where(path, n) + ": " + key + " has no value — give one, or remove the line to use "
                        + "the default.");
            }
            Entry earlier = entries.get(key);
            if (earlier != null) {
                throw new ConfigException(where(path, n) + ": " + key + " is already set on line " + earlier.line()
                        + " — keep one of the two.");
            }
            entries.put(key, new Entry(key, value, n));
        }
        return new ConfigFile(path, entries);
    }

    static String where(Path path, int line) {
        return path + " line " + line;
    }

    private static String shorten(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
