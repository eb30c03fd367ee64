package dev.portway.shared.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portway.shared.protocol.RelayAddress;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.TunnelNames;
import dev.portway.shared.text.SafeText;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The profiles file (PROFILES.md): writes a list of {@link ProfileEntry} as a versioned JSON document and
 * reads one back, checking the whole file before returning anything. Thread-safe (immutable).
 */
public final class ProfileFile {
    public static final String FORMAT = "portway-profiles";
    /** The version this build writes. */
    public static final int VERSION = 2;
    /** The versions this build reads (2 added the kind {@code folder}). */
    public static final Set<Integer> READS = Set.of(1, 2);
    /** The option that names a {@code folder} profile's folder (a path on the exporting machine). */
    public static final String FOLDER_OPTION = "folder";
    /** Largest file read: 1 MiB. Bigger files are refused without being read further. */
    public static final int MAX_BYTES = 1 << 20;
    public static final int MAX_PROFILES = 1_000;
    public static final int MAX_NAME = 100;
    public static final int MAX_HOST = 255;
    public static final int MAX_URL = 2048;
    public static final int MAX_TOKEN = 1024;
    /** Options that are secrets like the token: written only with {@code includeSecrets} (PROFILES.md §2). */
    public static final java.util.Set<String> SECRET_OPTIONS = java.util.Set.of("basic_auth");
    public static final int MAX_OPTION_NAME = 100;
    public static final int MAX_OPTION_VALUE = 1024;
    /** At most this many problems are reported; a file with more is usually not a profiles file at all. */
    public static final int MAX_PROBLEMS = 50;

    private static final ObjectWriter WRITER = Json.MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("").withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    /** Stricter than the protocol's reader: a repeated key or anything after the document is an error. */
    private static final ObjectReader READER = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private final Clock clock;

    /** @param clock for {@code exported_at} */
    public ProfileFile(Clock clock) {
        this.clock = clock;
    }

    /**
     * The file's bytes (UTF-8 JSON, ending in a newline). Relay tokens and {@link #SECRET_OPTIONS} are written only
     * when {@code includeSecrets}; without them a remote profile needs its token entered again after import.
     *
     * <p>Contract: every file this writes, {@link #read} accepts. An export is refused rather than written when it
     * could not be imported — more than {@link #MAX_PROFILES} profiles, more than {@link #MAX_BYTES}, or a profile
     * that breaks a rule of §2 (e.g. a name saved before names were checked) — so that the limits stay the same
     * both ways and a backup is never a file that cannot be restored.
     *
     * @throws ProfileFileException saying what to change first (nothing is written)
     */
    public byte[] write(List<ProfileEntry> entries, boolean includeSecrets) throws ProfileFileException {
        if (entries.size() > MAX_PROFILES) {
            throw fail("Cannot export " + entries.size() + " profiles: a profiles file holds at most " + MAX_PROFILES
                    + " so that any Portway can import it — delete the profiles you no longer need, then export again.");
        }
        byte[] bytes = encode(entries, includeSecrets);
        if (bytes.length > MAX_BYTES) {
            throw fail(String.format(Locale.ROOT, "Cannot export: the file would be %.1f MiB and Portway imports files of"
                    + " at most 1 MiB — delete the profiles you no longer need or shorten their options, then export again.",
                    bytes.length / (double) MAX_BYTES));
        }
        try {
            read(new java.io.ByteArrayInputStream(bytes));
        } catch (ProfileFileException e) {
            throw new ProfileFileException(e.problems().stream().map(p -> "Cannot export: " + p).toList());
        } catch (IOException e) {
            throw new IllegalStateException("reading a byte array failed", e);
        }
        return bytes;
    }

    private byte[] encode(List<ProfileEntry> entries, boolean includeSecrets) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("exported_at", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        ArrayNode profiles = root.putArray("profiles");
        for (ProfileEntry e : entries) {
            ObjectNode p = profiles.addObject();
            p.put("name", e.name());
            p.put("kind", e.kind().wire());
            if (e.kind() != ProfileEntry.Kind.FOLDER) { // a folder has no local service
                p.put("local_host", e.localHost());
                p.put("local_port", e.localPort());
            }
            ObjectNode relay = p.putObject("relay");
            relay.put("mode", e.relay().mode().name().toLowerCase(Locale.ROOT));
            if (e.relay().mode() == ProfileEntry.Relay.Mode.REMOTE) {
                relay.put("url", e.relay().url());
                if (includeSecrets && e.relay().token() != null) {
                    relay.put("token", e.relay().token());
                }
                if (e.relay().fingerprint() != null) {
                    relay.put("fingerprint", e.relay().fingerprint()); // public: identifies the relay, opens nothing
                }
            }
            if (e.requestedName() != null) {
                p.put("requested_name", e.requestedName());
            }
            ObjectNode options = p.putObject("options");
            new TreeMap<>(e.options()).forEach((k, v) -> {
                if (includeSecrets || !SECRET_OPTIONS.contains(k)) {
                    options.put(k, v);
                }
            });
            p.put("auto_connect", e.autoConnect());
        }
        try {
            byte[] json = WRITER.writeValueAsBytes(root);
            byte[] withNewline = new byte[json.length + 1];
            System.arraycopy(json, 0, withNewline, 0, json.length);
            withNewline[json.length] = '\n';
            return withNewline;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode profiles", e);
        }
    }

    /**
     * Reads and checks a whole profiles file. Reads at most {@link #MAX_BYTES} + 1 bytes of {@code in} and does
     * not close it.
     *
     * @return every profile, in file order, once nothing in the file is wrong
     * @throws ProfileFileException listing what is wrong (nothing is returned then)
     * @throws IOException          when {@code in} cannot be read
     */
    public static List<ProfileEntry> read(InputStream in) throws ProfileFileException, IOException {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
            throw fail("The file is larger than 1 MiB — a profiles file of " + MAX_PROFILES
                    + " profiles is far smaller; is this the right file?");
        }
        JsonNode root;
        try {
            root = READER.readTree(bytes);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            String duplicate = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
                    ? " (" + e.getOriginalMessage() + ")" : "";
            throw fail("This is not a Portway profiles file: it is not valid JSON"
                    + (at != null ? " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")" : "") + duplicate
                    + " — it may be cut short or edited by hand; export it again.");
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw fail("This is not a Portway profiles file: it must be a JSON object with \"format\": \"" + FORMAT + "\".");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isTextual() || !format.asText().equals(FORMAT)) {
            throw fail("This is not a Portway profiles file: \"format\" is " + (format == null ? "missing" : format.toString())
                    + ", expected \"" + FORMAT + "\".");
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isIntegralNumber()) {
            throw fail("The file has no valid \"version\" (a whole number) — export it again.");
        }
        if (!version.canConvertToInt() || !READS.contains(version.intValue())) {
            throw fail("The file is profiles format version " + version.asText() + "; this Portway reads version "
                    + READS.stream().sorted().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElseThrow()
                    + (!version.canConvertToLong() || version.longValue() > VERSION
                            ? " — it was written by a newer Portway; update Portway to import it." : "."));
        }
        JsonNode profiles = root.get("profiles");
        if (profiles == null || !profiles.isArray()) {
            throw fail("The file has no \"profiles\" list.");
        }
        if (profiles.size() > MAX_PROFILES) {
            throw fail("The file holds " + profiles.size() + " profiles; Portway imports at most " + MAX_PROFILES
                    + " at a time — split it into smaller files.");
        }
        Problems problems = new Problems();
        List<ProfileEntry> entries = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < profiles.size(); i++) {
            ProfileEntry e = new EntryReader(profiles.get(i), i + 1, version.intValue(), problems).read();
            if (e != null) {
                Integer first = seen.putIfAbsent(e.name().toLowerCase(Locale.ROOT), i + 1);
                if (first != null) {
                    problems.add(EntryReader.label(i + 1, e.name()) + "name \"" + e.name() + "\" is already used by profile "
                            + first + " — names in one file must be unique.");
                }
                entries.add(e);
            }
        }
        if (!problems.list.isEmpty()) {
            throw new ProfileFileException(problems.list);
        }
        return List.copyOf(entries);
    }

    private static ProfileFileException fail(String problem) {
        return new ProfileFileException(List.of(SafeText.escape(problem)));
    }

    static final class Problems {
        final List<String> list = new ArrayList<>();

        /** Adds {@code problem} escaped: it quotes values from the file, which may hold terminal escapes. */
        void add(String problem) {
            if (list.size() < MAX_PROBLEMS) {
                list.add(SafeText.escape(problem));
            } else if (list.size() == MAX_PROBLEMS) {
                list.add("… and more; only the first " + MAX_PROBLEMS + " problems are listed.");
            }
        }
    }

    /** Checks one element of {@code profiles}; collects every problem rather than stopping at the first. */
    private static final class EntryReader {
        private final JsonNode node;
        private final int number;
        private final int version;
        private final Problems problems;
        private String label;
        private boolean ok = true;

        EntryReader(JsonNode node, int number, int version, Problems problems) {
            this.node = node;
            this.number = number;
            this.version = version;
            this.problems = problems;
            this.label = label(number, null);
        }

        static String label(int number, String name) {
            return "Profile " + number + (name != null ? " (\"" + name + "\")" : "") + ": ";
        }

        private void problem(String text) {
            ok = false;
            problems.add(label + text);
        }

        ProfileEntry read() {
            if (node == null || !node.isObject()) {
                problem("must be an object with name, kind and local_port.");
                return null;
            }
            String name = text("name", null, MAX_NAME);
            if (name != null) {
                name = name.strip();
                if (name.isEmpty()) {
                    problem("name is empty — give the profile a name.");
                } else {
                    label = label(number, name);
                    String bad = ProfileNames.characterProblem(name);
                    if (bad != null) {
                        problem("name " + bad + " — rename it: names cannot hold " + ProfileNames.RULE + ".");
                    }
                }
            } else if (!node.has("name")) {
                problem("name is missing.");
            }
            ProfileEntry.Kind kind = kind();
            String host = text("local_host", "localhost", MAX_HOST);
            if (host != null && (host.isBlank() || host.contains(" ") || host.contains("/") || host.contains("\\")
                    || SafeText.firstUnsafe(host) >= 0
                    || host.contains(":") && !host.startsWith("["))) {
                problem("local_host \"" + host + "\" is not a host name or address — use e.g. localhost or 127.0.0.1.");
            }
            boolean folder = kind == ProfileEntry.Kind.FOLDER || "folder".equals(node.path("kind").asText()); // no port to check
            int port = folder ? 0 : port();
            ProfileEntry.Relay relay = relay();
            String requested = text("requested_name", null, 63);
            if (requested != null) {
                String normal = TunnelNames.normalize(requested);
                if (normal == null) {
                    problem("requested_name " + TunnelNames.invalidMessage(requested));
                }
                requested = normal;
            }
            Map<String, String> options = options();
            if (folder && (options.get(FOLDER_OPTION) == null || options.get(FOLDER_OPTION).isBlank())) {
                problem("a folder profile needs options.folder, the folder to share.");
            }
            boolean autoConnect = false;
            JsonNode ac = node.get("auto_connect");
            if (ac != null && !ac.isNull()) {
                if (ac.isBoolean()) {
                    autoConnect = ac.booleanValue();
                } else {
                    problem("auto_connect must be true or false, not " + ac + ".");
                }
            }
            if (!ok) {
                return null;
            }
            return new ProfileEntry(name, kind, host, port, relay, requested, options, autoConnect);
        }

        /** A string field; {@code fallback} when absent or null. Null (and a problem) when it is not a string. */
        private String text(String field, String fallback, int max) {
            return text(node, field, fallback, max, field);
        }

        private String text(JsonNode in, String field, String fallback, int max, String shownAs) {
            JsonNode v = in.get(field);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isTextual()) {
                problem(shownAs + " must be text, not " + v + ".");
                return null;
            }
            if (v.asText().length() > max) {
                problem(shownAs + " is longer than " + max + " characters.");
                return null;
            }
            return v.asText();
        }

        private ProfileEntry.Kind kind() {
            JsonNode v = node.get("kind");
            if (v == null || v.isNull()) {
                problem("kind is missing — use \"http\" or \"tcp\".");
                return null;
            }
            return switch (v.isTextual() ? v.asText() : "") {
                case "http" -> ProfileEntry.Kind.HTTP;
                case "tcp" -> ProfileEntry.Kind.TCP;
                case "folder" -> {
                    if (version < 2) {
                        problem("kind \"folder\" needs a version 2 file — export it again from a newer Portway.");
                        yield null;
                    }
                    yield ProfileEntry.Kind.FOLDER;
                }
                default -> {
                    problem("kind " + v + " is not a tunnel kind — use \"http\", \"tcp\" or \"folder\".");
                    yield null;
                }
            };
        }

        private int port() {
            JsonNode v = node.get("local_port");
            if (v == null || v.isNull()) {
                problem("local_port is missing — use the port your service listens on, 1..65535.");
            } else if (!v.isIntegralNumber()) {
                problem("local_port " + v + " is not a whole number — use 1..65535.");
            } else if (!v.canConvertToInt() || v.intValue() < 1 || v.intValue() > 65_535) {
                problem("local_port " + v.asText() + " is out of range — use 1..65535.");
            } else {
                return v.intValue();
            }
            return 0;
        }

        private ProfileEntry.Relay relay() {
            JsonNode v = node.get("relay");
            if (v == null || v.isNull()) {
                return ProfileEntry.Relay.EMBEDDED;
            }
            if (!v.isObject()) {
                problem("relay must be an object like {\"mode\": \"embedded\"}.");
                return null;
            }
            String mode = text(v, "mode", "", 16, "relay.mode");
            if ("embedded".equals(mode)) {
                return ProfileEntry.Relay.EMBEDDED;
            }
            if (!"remote".equals(mode)) {
                if (mode != null) {
                    problem("relay.mode " + (mode.isEmpty() ? "is missing" : "\"" + mode + "\" is unknown")
                            + " — use \"embedded\" or \"remote\".");
                }
                return null;
            }
            String url = text(v, "url", null, MAX_URL, "relay.url");
            String token = text(v, "token", null, MAX_TOKEN, "relay.token");
            if (url == null) {
                if (!v.hasNonNull("url")) {
                    problem("relay.url is missing — a remote relay needs its address, e.g. wss://relay.example.com.");
                }
                return null;
            }
            if (SafeText.firstUnsafe(url) >= 0 || !relayUrl(url)) {
                problem("relay.url \"" + url + "\" is not a relay address — write it as wss://host or ws://host:port"
                        + " (http and https also work).");
                return null;
            }
            String fingerprint = text(v, "fingerprint", null, 200, "relay.fingerprint");
            if (fingerprint != null && !fingerprint.isBlank()) {
                try {
                    fingerprint = dev.portway.shared.protocol.CertificateFingerprint.normalize(fingerprint);
                } catch (IllegalArgumentException e) {
                    problem("relay.fingerprint " + e.getMessage());
                    return null;
                }
            } else {
                fingerprint = null;
            }
            return ProfileEntry.Relay.remote(url, token == null || token.isEmpty() ? null : token, fingerprint);
        }

        private static boolean relayUrl(String text) {
            return RelayAddress.parse(text).isPresent();
        }

        private Map<String, String> options() {
            JsonNode v = node.get("options");
            Map<String, String> options = new TreeMap<>();
            if (v == null || v.isNull()) {
                return options;
            }
            if (!v.isObject()) {
                problem("options must be an object of text values, like {\"port\": \"15432\"}.");
                return options;
            }
            for (Map.Entry<String, JsonNode> o : v.properties()) {
                String key = o.getKey();
                JsonNode value = o.getValue();
                if (key.isEmpty() || key.length() > MAX_OPTION_NAME) {
                    problem("option name \"" + key + "\" must be 1.." + MAX_OPTION_NAME + " characters.");
                } else if (!value.isTextual()) {
                    problem("options." + key + " must be text, not " + value + ".");
                } else if (value.asText().length() > MAX_OPTION_VALUE) {
                    problem("options." + key + " is longer than " + MAX_OPTION_VALUE + " characters.");
                } else {
                    options.put(key, value.asText());
                }
            }
            return options;
        }
    }
}
