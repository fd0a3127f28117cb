package io.greenloop.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A request's header fields, read from the connection's buffer when asked: names match in any case; values
 * are the field values as sent, without surrounding whitespace, one per field line (a comma-separated list in
 * one line is one value). Valid while its request is; thread rule as {@link HttpRequest}.
 */
public final class HttpHeaders {

    private final HttpConnection connection;
    private final Inbound in;

    HttpHeaders(HttpConnection connection, Inbound in) {
        this.connection = connection;
        this.in = in;
    }

    /**
     * The first value of {@code name}, or {@code null} when absent.
     *
     * @param name a field name, any case
     * @return its first value, or {@code null}
     */
    public String first(String name) {
        connection.checkLive();
        RequestHead head = in.head;
        int field = head.find(in.buf, name, 0);
        return field < 0 ? null : RequestHead.latin1(in.buf, head.valueStart(field), head.valueEnd(field));
    }

    /**
     * Every value of {@code name}, in the order sent; empty when absent.
     *
     * @param name a field name, any case
     * @return its values, in order; empty when absent
     */
    public List<String> all(String name) {
        connection.checkLive();
        RequestHead head = in.head;
        List<String> values = new ArrayList<>(2);
        for (int field = head.find(in.buf, name, 0); field >= 0; field = head.find(in.buf, name, field + 1)) {
            values.add(RequestHead.latin1(in.buf, head.valueStart(field), head.valueEnd(field)));
        }
        return values;
    }

    /**
     * The names present, lower-cased, in the order first sent.
     *
     * @return the names, lower-cased, unmodifiable
     */
    public Set<String> names() {
        connection.checkLive();
        RequestHead head = in.head;
        Set<String> names = new LinkedHashSet<>();
        for (int field = 0; field < head.fieldCount; field++) {
            names.add(RequestHead.latin1(in.buf, head.nameStart(field), head.nameEnd(field)).toLowerCase(Locale.ROOT));
        }
        return Collections.unmodifiableSet(names);
    }

    @Override
    public String toString() {
        return connection.ended() ? "HttpHeaders[over]" : "HttpHeaders" + names();
    }
}
