package dev.portway.desktop.startup;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps GTK from loading OpenGL for itself on Linux. When GDK opens the X display it probes GLX to choose its visuals,
 * which loads the whole OpenGL driver stack (with Mesa's software driver, libLLVM: some 50 MiB of resident memory in
 * bench/desktop.sh's window), although JavaFX never draws through GDK's GL: its ES2 pipeline opens OpenGL by itself,
 * and its software pipeline needs none. {@code GDK_GL=disable} turns the probe off; a value the user set is kept. It
 * must be in the process environment before JavaFX starts GTK, so {@link #disableProbe} sets it with libc's
 * {@code setenv} at the top of {@code main}, while no other thread reads the environment.
 */
public final class GtkGl {
    static final String VARIABLE = "GDK_GL";

    private GtkGl() {
    }

    /** Whether to set the variable: on Linux, when the environment has no value of its own. */
    static boolean wanted(String osName, Map<String, String> env) {
        return osName.toLowerCase(Locale.ROOT).startsWith("linux") && !env.containsKey(VARIABLE);
    }

    /** Sets {@code GDK_GL=disable} where {@link #wanted} says so; quietly does nothing where libc cannot be reached. */
    public static void disableProbe() {
        if (!wanted(System.getProperty("os.name", ""), System.getenv())) {
            return;
        }
        setenv(VARIABLE, "disable");
    }

    /** libc's {@code setenv(name, value, 0)}; false when it is not there or fails. Package-private for the test. */
    static boolean setenv(String name, String value) {
        try {
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> fn = linker.defaultLookup().find("setenv");
            if (fn.isEmpty()) {
                return false;
            }
            MethodHandle setenv = linker.downcallHandle(fn.get(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            try (Arena arena = Arena.ofConfined()) {
                return (int) setenv.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 0) == 0;
            }
        } catch (Throwable e) { // no native access (a launcher without --enable-native-access): GTK then probes as before
            return false;
        }
    }

    /** libc's {@code getenv}, which sees what {@link #setenv} wrote ({@link System#getenv} keeps the start's copy). Tests. */
    static String getenv(String name) {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle getenv = linker.downcallHandle(linker.defaultLookup().find("getenv").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment p = (MemorySegment) getenv.invokeExact(arena.allocateFrom(name));
                return p.equals(MemorySegment.NULL) ? null : p.reinterpret(Long.MAX_VALUE).getString(0);
            }
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
