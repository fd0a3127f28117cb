package io.greenloop.http;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The {@code Date} header line of a loop, made at most once a second: a response copies its bytes instead
 * of formatting a date. Formatted by hand: IMF-fixdate has fixed English names, and the JDK's formatters load
 * locale data on first use, which holds the loop for a long moment. One per loop, used on its thread only.
 */
final class HttpDate {

    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    private long second = Long.MIN_VALUE;
    private byte[] line;

    /** "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n" for now (RFC 9110 section 5.6.7, IMF-fixdate). */
    byte[] line() {
        long now = System.currentTimeMillis() / 1000;
        if (now != second) {
            line = format(now).getBytes(StandardCharsets.US_ASCII);
            second = now;
        }
        return line;
    }

    static String format(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        return "Date: " + DAYS[t.getDayOfWeek().ordinal()] + ", " + twoDigits(t.getDayOfMonth()) + " "
                + MONTHS[t.getMonthValue() - 1] + " " + t.getYear() + " " + twoDigits(t.getHour()) + ":"
                + twoDigits(t.getMinute()) + ":" + twoDigits(t.getSecond()) + " GMT\r\n";
    }

    private static String twoDigits(int value) {
        return value < 10 ? "0" + value : Integer.toString(value);
    }
}
