package dev.portway.relay.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigFileTest {
    static final Path FILE = Path.of("/etc/portway/relay.properties");

    @Test
    void readsKeyValueLinesSkippingCommentsAndBlankLines() throws Exception {
        ConfigFile f = ConfigFile.parse(FILE, "\uFEFF# comment\n\n! also a comment\n  port = 8080  \ndata-dir=/var/lib/x y\n"
                + "token = a=b\n");
        assertThat(f.entries()).containsOnlyKeys("port", "data-dir", "token");
        assertThat(f.entries().get("port")).isEqualTo(new ConfigFile.Entry("port", "8080", 4));
        assertThat(f.entries().get("data-dir").value()).isEqualTo("/var/lib/x y");
        assertThat(f.entries().get("token").value()).as("only the first = separates").isEqualTo("a=b");
    }

    @Test
    void lineWithoutEqualsSignIsRefusedWithItsLineNumber() {
        assertThatThrownBy(() -> ConfigFile.parse(FILE, "port = 1\nhost 0.0.0.0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("/etc/portway/relay.properties line 2: \"host 0.0.0.0\" is not a setting")
                .hasMessageContaining("key = value");
    }

    @Test
    void keyWrittenAsAFlagIsRefusedWithTheFix() {
        assertThatThrownBy(() -> ConfigFile.parse(FILE, "--port = 80\n"))
                .hasMessage("/etc/portway/relay.properties line 1: write the key without dashes: port = 80");
    }

    @Test
    void malformedKeyIsRefused() {
        assertThatThrownBy(() -> ConfigFile.parse(FILE, "Data_Dir = /x\n"))
                .hasMessageContaining("line 1: \"Data_Dir\" is not a valid key");
    }

    @Test
    void emptyValueIsRefused() {
        assertThatThrownBy(() -> ConfigFile.parse(FILE, "\ntoken =\n"))
                .hasMessage("/etc/portway/relay.properties line 2: token has no value — give one, or remove the line to use the default.");
    }

    @Test
    void repeatedKeyIsRefusedNamingBothLines() {
        assertThatThrownBy(() -> ConfigFile.parse(FILE, "port = 1\nhost = a\nport = 2\n"))
                .hasMessage("/etc/portway/relay.properties line 3: port is already set on line 1 — keep one of the two.");
    }

    @Test
    void missingFileDirectoryAndBinaryFileAreRefused(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ConfigFile.read(dir.resolve("nope.properties")))
                .hasMessageContaining("does not exist").hasMessageContaining("--config");
        assertThatThrownBy(() -> ConfigFile.read(dir)).hasMessageContaining("is a directory");
        Path binary = Files.write(dir.resolve("bin.properties"), new byte[]{'p', '=', (byte) 0xC3, (byte) 0x28});
        assertThatThrownBy(() -> ConfigFile.read(binary)).hasMessageContaining("is not UTF-8 text");
    }
}
