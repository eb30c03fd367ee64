package dev.portway.desktop.ui.queue;

import dev.portway.desktop.engine.QueuedRequest;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * One profile's client queue, as the queue view uses it. The work (disk I/O) happens off the FX thread; every
 * stage completes on the FX executor. With no engine running (the profile is disconnected) the list is empty and
 * the commands do nothing.
 */
public interface QueueOperations {
    /** The queue in delivery order: priority (high first), then arrival. */
    CompletionStage<List<QueuedRequest>> list();

    CompletionStage<Void> retryNow(String deliveryId);

    CompletionStage<Void> retryAll();

    CompletionStage<Void> discard(String deliveryId);

    CompletionStage<Void> discardAll();
}
