package dev.portway.desktop.engine;

import java.time.Instant;

/**
 * One attempt to deliver a queued request to the local app.
 *
 * @param attempt     1 for the first attempt
 * @param status      the local app's status code, 0 when it did not answer
 * @param delivered   true when the app answered below 500: the request left the queue
 * @param error       why the attempt failed, in words; null when delivered
 * @param nextAttempt when it will be tried again; null when delivered
 */
public record DeliveryEvent(String deliveryId, String tunnel, String method, String target, String localTarget,
                            int attempt, int status, boolean delivered, String error, Instant nextAttempt) {
}
