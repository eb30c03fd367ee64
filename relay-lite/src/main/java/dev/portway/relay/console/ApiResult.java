package dev.portway.relay.console;

/**
 * What an API handler answers: a status and a JSON body (a Jackson-serialisable object), plus a cookie to set
 * when the sign-in state changes.
 */
record ApiResult(int status, Object body, String setCookie) {
    static ApiResult ok(Object body) {
        return new ApiResult(200, body, null);
    }

    static ApiResult created(Object body) {
        return new ApiResult(201, body, null);
    }

    static ApiResult error(int status, String message) {
        return new ApiResult(status, java.util.Map.of("error", message), null);
    }

    ApiResult withCookie(String cookie) {
        return new ApiResult(status, body, cookie);
    }
}
