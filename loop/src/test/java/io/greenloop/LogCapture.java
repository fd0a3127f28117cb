package io.greenloop;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * {@link CapturedLogs} for each test of a class: {@code @RegisterExtension final LogCapture logs = new LogCapture();}
 * starts catching greenloop's records before each test and stops after it.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {

    private CapturedLogs logs;

    @Override
    public void beforeEach(ExtensionContext context) {
        logs = CapturedLogs.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logs.close();
    }

    /** The running test's records from {@code logger} at {@code level} ({@link CapturedLogs#records(String, Level)}). */
    public List<LogRecord> records(String logger, Level level) {
        return logs.records(logger, level);
    }

    /** The running test's records above {@code level} ({@link CapturedLogs#above(Level)}). */
    public List<LogRecord> above(Level level) {
        return logs.above(level);
    }
}
