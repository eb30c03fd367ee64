package dev.portway.relay.config;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Option values from a config file and from environment variables, offered to picocli as defaults, so the
 * precedence is: command-line flags, then {@code PORTWAY_*} environment variables, then the config file,
 * then each option's own default.
 *
 * <p>Generic over the command: every long option of the top-level command is a key, named without its
 * dashes ({@code --data-dir} → {@code data-dir} in the file, {@code PORTWAY_DATA_DIR} in the environment),
 * except {@code --config}, {@code --help} and {@code --version}. An option added later is covered without
 * a change here. Subcommands get the same values for options with the same long name (inherited options).
 *
 * <p>Everything is checked up front, before the relay starts: an unknown key or a value the option would
 * refuse stops start-up with a message naming the file and line (or the variable). A {@code PORTWAY_*}
 * variable that names no option only draws a warning: the prefix is not reserved for the relay alone.
 */
public final class ConfigSources implements CommandLine.IDefaultValueProvider {
    public static final String ENV_PREFIX = "PORTWAY_";
    public static final String CONFIG_OPTION = "--config";
    public static final String CONFIG_ENV = ENV_PREFIX + "CONFIG";
    /** Read when present, unless {@code --config} or {@code PORTWAY_CONFIG} names another file. */
    public static final Path DEFAULT_FILE = Path.of("/etc/portway/relay.properties");

    /** A value and where it came from, e.g. {@code /etc/portway/relay.properties line 3}. */
    public record Value(String text, String origin) {
    }

    private final Map<String, OptionSpec> options;
    private final Map<String, Value> values;
    private final ConfigFile file;

    private ConfigSources(Map<String, OptionSpec> options, Map<String, Value> values, ConfigFile file) {
        this.options = options;
        this.values = values;
        this.file = file;
    }

    /**
     * Reads the config file (from {@code args}, {@code env} or {@code defaultFile}) and the environment, and
     * checks every value against {@code root}'s options.
     *
     * @param fresh makes a new, unconfigured command object; each value is tried on one to see picocli's verdict
     * @param warn  receives warnings for a person (unknown {@code PORTWAY_*} variables)
     */
    public static ConfigSources load(CommandSpec root, Supplier<CommandLine> fresh, List<String> args, Map<String, String> env,
                                     Path defaultFile, Consumer<String> warn) throws ConfigException {
        Map<String, OptionSpec> options = keys(root);
        Path path = configPath(args, env, defaultFile);
        ConfigFile file = path == null ? null : ConfigFile.read(path);
        Map<String, Value> values = new LinkedHashMap<>();
        if (file != null) {
            for (ConfigFile.Entry e : file.entries().values()) {
                String origin = ConfigFile.where(file.path(), e.line());
                OptionSpec option = options.get(e.key());
                if (option == null) {
                    throw new ConfigException(origin + ": unknown key \"" + e.key() + "\"" + suggestion(e.key(), options)
                            + " Allowed keys: " + String.join(", ", options.keySet()) + ".");
                }
                check(option, e.key(), e.value(), origin, fresh);
                values.put(e.key(), new Value(e.value(), origin));
            }
        }
        for (String key : options.keySet()) {
            String var = envName(key);
            String text = env.get(var);
            if (text != null && !text.isBlank()) {
                String origin = "environment variable " + var;
                check(options.get(key), key, text.strip(), origin, fresh);
                values.put(key, new Value(text.strip(), origin));
            }
        }
        for (String var : env.keySet()) {
            if (var.startsWith(ENV_PREFIX) && !var.equals(CONFIG_ENV)) {
                String key = var.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
                if (!options.containsKey(key)) {
                    String near = closest(key, options);
                    warn.accept("ignoring environment variable " + var + ": there is no option --" + key
                            + (near == null ? "." : " — did you mean " + envName(near) + "?"));
                }
            }
        }
        return new ConfigSources(options, values, file);
    }

    /** The config file named by {@code --config FILE}/{@code --config=FILE}, else {@code PORTWAY_CONFIG}, else the default if it exists. */
    public static Path configPath(List<String> args, Map<String, String> env, Path defaultFile) throws ConfigException {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                break;
            }
            if (a.equals(CONFIG_OPTION)) {
                if (i + 1 >= args.size() || args.get(i + 1).isBlank()) {
                    throw new ConfigException(CONFIG_OPTION + " needs the path of a config file, e.g. --config /etc/portway/relay.properties.");
                }
                return Path.of(args.get(i + 1));
            }
            if (a.startsWith(CONFIG_OPTION + "=")) {
                return Path.of(a.substring(CONFIG_OPTION.length() + 1));
            }
        }
        String fromEnv = env.get(CONFIG_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv.strip());
        }
        return defaultFile != null && Files.isRegularFile(defaultFile) ? defaultFile : null;
    }

    /** Keys in declaration order: long option names without dashes. */
    static Map<String, OptionSpec> keys(CommandSpec root) {
        Map<String, OptionSpec> keys = new LinkedHashMap<>();
        for (OptionSpec o : root.options()) {
            String key = keyOf(o);
            if (key != null && !o.usageHelp() && !o.versionHelp() && !CONFIG_OPTION.equals(o.longestName())) {
                keys.put(key, o);
            }
        }
        return keys;
    }

    static String keyOf(OptionSpec o) {
        String name = o.longestName();
        return name.startsWith("--") ? name.substring(2) : null;
    }

    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** Asks picocli whether the option takes this value, on a fresh command object. */
    private static void check(OptionSpec option, String key, String value, String origin, Supplier<CommandLine> fresh)
            throws ConfigException {
        if (option.arity().max() == 0) {
            if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                throw new ConfigException(origin + ": " + key + " is a switch — write true or false, not \"" + value + "\".");
            }
            return;
        }
        CommandLine trial = fresh.get();
        try {
            trial.parseArgs(option.longestName() + "=" + value);
        } catch (CommandLine.MissingParameterException e) {
            // another option is required; this value was accepted
        } catch (CommandLine.ParameterException e) {
            throw new ConfigException(origin + ": " + key + " = " + value + " is refused: " + e.getMessage()
                    + (option.description().length > 0 ? " (" + key + ": " + option.description()[0] + ")" : ""));
        }
    }

    private static String suggestion(String key, Map<String, OptionSpec> options) {
        String near = closest(key, options);
        return near == null ? "." : " — did you mean \"" + near + "\"?";
    }

    /** The key nearest to a misspelt one, if it is near enough to be the likely intent. */
    static String closest(String key, Map<String, OptionSpec> options) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : options.keySet()) {
            int d = distance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 3) ? best : null;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o)) {
            return null;
        }
        String key = keyOf(o);
        Value v = key == null ? null : values.get(key);
        return v == null ? null : v.text();
    }

    /** Where the option's value came from if not from the command line or its default, else null. */
    public String origin(String longName) {
        Value v = values.get(longName.startsWith("--") ? longName.substring(2) : longName);
        return v == null ? null : v.origin();
    }

    /** The config file read, or null. */
    public Path file() {
        return file == null ? null : file.path();
    }

    /** All keys a config file may hold. */
    public java.util.Set<String> allowedKeys() {
        return options.keySet();
    }
}
