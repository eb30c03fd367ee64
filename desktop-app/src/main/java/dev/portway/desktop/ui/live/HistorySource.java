package dev.portway.desktop.ui.live;

import dev.portway.desktop.metrics.Bucket;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Where the charts get a profile's persisted minutes from. Results complete on the FX thread. */
public interface HistorySource {
    /** No history (tests, or when the store could not be opened). */
    HistorySource NONE = profileId -> CompletableFuture.completedFuture(List.of());

    /** The profile's minutes of the last day, oldest first. */
    CompletionStage<List<Bucket>> minutes(String profileId);
}
