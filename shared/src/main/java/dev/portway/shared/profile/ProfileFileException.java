package dev.portway.shared.profile;

import java.util.List;

/**
 * A profiles file that cannot be imported (or an export that would write one), with every problem found in it; each
 * problem is a sentence for a person that names the profile (number and name) and the field, with any control
 * characters of the file escaped. Nothing was imported (or written).
 */
public final class ProfileFileException extends Exception {
    private final transient List<String> problems;

    public ProfileFileException(List<String> problems) {
        super(problems.size() == 1 ? problems.getFirst()
                : problems.size() + " problems in the profiles file, first: " + problems.getFirst());
        this.problems = List.copyOf(problems);
    }

    /** At least one; at most {@link ProfileFile#MAX_PROBLEMS}. */
    public List<String> problems() {
        return problems;
    }
}
