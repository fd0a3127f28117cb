package io.greenloop.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Minimal routing: exact paths per method, and path prefixes for any method. An exact path wins; among
 * prefixes the longest that matches at a segment boundary ({@code "/static"} matches {@code "/static"} and
 * {@code "/static/a.css"}, not {@code "/statics"}). A path with routes for other methods only is answered 405
 * with {@code Allow}; no match at all, 404. {@code HEAD} is served by the {@code GET} route when it has none of
 * its own (the server sends the head without the body). Paths are compared as sent, percent-encoding kept.
 *
 * <p>Thread rule: build it before serving; while serving it is only read, from any loop.
 */
public final class Routes implements HttpHandler {

    private final Map<String, Map<String, HttpHandler>> exact = new HashMap<>();
    private final List<Map.Entry<String, HttpHandler>> prefixes = new ArrayList<>();

    private Routes() {
    }

    /**
     * An empty table: every request gets 404 until routes are added.
     *
     * @return a new, empty table
     */
    public static Routes create() {
        return new Routes();
    }

    /**
     * Routes {@code GET path} (and {@code HEAD path}, unless it has its own) to {@code handler}.
     *
     * @param path    the exact path, starting with '/'
     * @param handler what serves it
     * @return this table
     */
    public Routes get(String path, HttpHandler handler) {
        return route("GET", path, handler);
    }

    /**
     * Routes {@code POST path} to {@code handler}.
     *
     * @param path    the exact path, starting with '/'
     * @param handler what serves it
     * @return this table
     */
    public Routes post(String path, HttpHandler handler) {
        return route("POST", path, handler);
    }

    /**
     * Routes {@code PUT path} to {@code handler}.
     *
     * @param path    the exact path, starting with '/'
     * @param handler what serves it
     * @return this table
     */
    public Routes put(String path, HttpHandler handler) {
        return route("PUT", path, handler);
    }

    /**
     * Routes {@code DELETE path} to {@code handler}.
     *
     * @param path    the exact path, starting with '/'
     * @param handler what serves it
     * @return this table
     */
    public Routes delete(String path, HttpHandler handler) {
        return route("DELETE", path, handler);
    }

    /**
     * Routes {@code method path} (exactly; methods are case-sensitive) to {@code handler}; a second route for the same pair is refused.
     *
     * @param method  the method, a token
     * @param path    the exact path, starting with '/'
     * @param handler what serves it
     * @return this table
     * @throws IllegalArgumentException for a second route of the pair, a path not starting with '/', or a method that is no token
     */
    public Routes route(String method, String path, HttpHandler handler) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(handler, "handler");
        checkPath(path);
        if (!Ascii.isToken(method)) {
            throw new IllegalArgumentException("\"" + method + "\" is not a method name (a token such as GET)");
        }
        Map<String, HttpHandler> byMethod = exact.computeIfAbsent(path, ignored -> new LinkedHashMap<>());
        if (byMethod.putIfAbsent(method, handler) != null) {
            throw new IllegalArgumentException(method + " " + path + " has a route already");
        }
        return this;
    }

    /**
     * Routes every request under {@code pathPrefix} (any method) to {@code handler}; the longest matching prefix wins.
     *
     * @param pathPrefix the prefix, starting with '/'
     * @param handler    what serves everything under it
     * @return this table
     * @throws IllegalArgumentException for a second route of the prefix, or a prefix not starting with '/'
     */
    public Routes prefix(String pathPrefix, HttpHandler handler) {
        Objects.requireNonNull(handler, "handler");
        checkPath(pathPrefix);
        for (Map.Entry<String, HttpHandler> existing : prefixes) {
            if (existing.getKey().equals(pathPrefix)) {
                throw new IllegalArgumentException("the prefix " + pathPrefix + " has a route already");
            }
        }
        prefixes.add(Map.entry(pathPrefix, handler));
        prefixes.sort((a, b) -> b.getKey().length() - a.getKey().length());
        return this;
    }

    private static void checkPath(String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a route's path starts with '/': \"" + path + "\"");
        }
    }

    /** Runs the matching route's handler, or answers 404 or 405. */
    @Override
    public void handle(HttpRequest request, HttpResponse response) throws Exception {
        String path = request.path();
        Map<String, HttpHandler> byMethod = exact.get(path);
        if (byMethod != null) {
            HttpHandler handler = byMethod.get(request.method());
            if (handler == null && request.method().equals("HEAD")) {
                handler = byMethod.get("GET");
            }
            if (handler != null) {
                handler.handle(request, response);
                return;
            }
        }
        for (Map.Entry<String, HttpHandler> prefix : prefixes) {
            if (matches(path, prefix.getKey())) {
                prefix.getValue().handle(request, response);
                return;
            }
        }
        if (byMethod != null) {
            response.status(405).header("Allow", allowed(byMethod)).send("Method Not Allowed");
        } else {
            response.status(404).send("Not Found");
        }
    }

    private static boolean matches(String path, String prefix) {
        return path.startsWith(prefix) && (prefix.endsWith("/") || path.length() == prefix.length()
                || path.charAt(prefix.length()) == '/');
    }

    private static String allowed(Map<String, HttpHandler> byMethod) {
        TreeSet<String> methods = new TreeSet<>(byMethod.keySet());
        if (methods.contains("GET")) {
            methods.add("HEAD");
        }
        return String.join(", ", methods);
    }
}
