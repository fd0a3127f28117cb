package io.greenloop;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Every record greenloop logs while it is open, at every level (DEBUG included), caught where System.Logger's
 * records go by default: java.util.logging. A real handler on the root logger, filtered by name: a handler on the
 * "io.greenloop" logger itself missed records in a JVM where other suites had logged through it first (a
 * java.util.logging logger nobody holds may be collected and made anew). {@link #close()} restores the level.
 */
public final class CapturedLogs implements AutoCloseable {

    private static final String GREENLOOP = "io.greenloop";

    private final Logger root = Logger.getLogger("");
    /** Held, so that the level set on it stays while the test runs. */
    private final Logger greenloop = Logger.getLogger(GREENLOOP);
    private final Level levelBefore = greenloop.getLevel();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String name = record.getLoggerName();
            if (name != null && (name.equals(GREENLOOP) || name.startsWith(GREENLOOP + "."))) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private CapturedLogs() {
        capture.setLevel(Level.ALL);
        greenloop.setLevel(Level.ALL);
        root.addHandler(capture);
    }

    /** Starts catching greenloop's records, at every level. */
    public static CapturedLogs start() {
        return new CapturedLogs();
    }

    /** The records caught so far, in the order they were logged. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The records caught so far from {@code logger} at {@code level}. */
    public List<LogRecord> records(String logger, Level level) {
        return records.stream().filter(r -> r.getLoggerName().equals(logger) && r.getLevel().equals(level)).toList();
    }

    /** The records caught so far above {@code level}. */
    public List<LogRecord> above(Level level) {
        return records.stream().filter(r -> r.getLevel().intValue() > level.intValue()).toList();
    }

    /** Each record as a log would show it, one per line without stack traces, for a failure message. */
    public static String show(List<LogRecord> records) {
        StringBuilder shown = new StringBuilder();
        for (LogRecord record : records) {
            shown.append('\n').append(record.getLevel()).append(' ').append(record.getLoggerName()).append(": ").append(message(record));
            if (record.getThrown() != null) {
                shown.append(" [").append(record.getThrown()).append(']');
            }
        }
        return shown.toString();
    }

    /** How many records each logger wrote at each level, for a failure message. */
    public Map<String, Map<String, Integer>> counts() {
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        for (LogRecord record : records) {
            counts.computeIfAbsent(record.getLoggerName(), name -> new TreeMap<>()).merge(record.getLevel().getName(), 1, Integer::sum);
        }
        return counts;
    }

    /** How many lines the records would take in a log: the message's lines, and each stack trace's. */
    public static int lines(List<LogRecord> records) {
        int lines = 0;
        for (LogRecord record : records) {
            lines += message(record).split("\n", -1).length;
            if (record.getThrown() != null) {
                java.io.StringWriter trace = new java.io.StringWriter();
                record.getThrown().printStackTrace(new java.io.PrintWriter(trace));
                lines += trace.toString().split("\n").length;
            }
        }
        return lines;
    }

    /** The record's message with its parameters filled in, as a log shows it. */
    public static String message(LogRecord record) {
        return new SimpleFormatter().formatMessage(record);
    }

    /** Stops catching and restores the level greenloop's logger had. */
    @Override
    public void close() {
        root.removeHandler(capture);
        greenloop.setLevel(levelBefore);
    }
}
