package dev.portway.relay.admin;

/**
 * Ends client sessions at once after a change that takes a user's right away (a revoked token, a disabled or
 * deleted user). The console runs inside the relay and ends them now; the command line runs in another
 * process ({@link #NONE}) and the relay ends them within {@link ChangeWatch#PERIOD_MS} when it sees the audit event.
 */
public interface LiveSessions {
    LiveSessions NONE = new LiveSessions() {
        @Override
        public int endSessionsOfUser(String user, String reason) {
            return 0;
        }

        @Override
        public int endSessionsOfToken(String tokenId, String reason) {
            return 0;
        }
    };

    /** @return how many sessions were ended */
    int endSessionsOfUser(String user, String reason);

    /** @return how many sessions were ended */
    int endSessionsOfToken(String tokenId, String reason);
}
