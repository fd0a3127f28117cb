package io.greenloop;

import io.greenloop.spi.TransportProvider;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The one place that decides whether a test of a transport runs, fails or is skipped, and the one way a
 * test run picks its transport: the system property {@code greenloop.transport}, which each transport
 * module's build sets so that loop's suites from the test-jar run on it ({@link LoopExtension} opens its
 * loops with {@code Loop.open()}, which honours it).
 *
 * <p>The rule: an available transport runs its tests. An unavailable one on the operating system it is made
 * for (epoll: Linux; kqueue: macOS and the BSDs) FAILS them, with the reason, since a broken install must not
 * pass; on any other OS its tests are SKIPPED, with the reason. For tests only, {@code -Dgreenloop.test.os=linux}
 * or {@code macos} overrides the OS this rule sees (CI checks the macOS branch on Linux that way).
 *
 * <p>Registered for every test class of loop's test-jar and of the modules that run it (JUnit's extension
 * auto-detection, see {@code junit-platform.properties}): with {@code greenloop.transport} set, a class whose
 * transport is to be skipped is disabled as a whole, and each test whose transport is to fail fails before it
 * starts. Tests that name their transport themselves ({@code UnixTransportCase}) call {@link #require(String)}.
 */
public final class TransportUnderTest implements ExecutionCondition, BeforeEachCallback {

    /** The property that picks the transport of a test run. */
    public static final String PROPERTY = "greenloop.transport";
    /** The property that overrides the operating system the rule sees ({@code linux}, {@code macos}); tests only. */
    public static final String OS_PROPERTY = "greenloop.test.os";

    /** The operating systems the rule tells apart. */
    public enum Os { LINUX, MACOS_OR_BSD, OTHER }

    /** What the rule says for one transport here. */
    public sealed interface Decision {
        /** The transport is available: its tests run. */
        record Run() implements Decision { }
        /** Unavailable where it is made for: its tests fail with {@code reason}. */
        record Fail(String reason) implements Decision { }
        /** Unavailable, and made for another OS: its tests are skipped with {@code reason}. */
        record Skip(String reason) implements Decision { }
    }

    /** The transport this test run was asked to use, if any. */
    public static Optional<String> chosen() {
        String name = System.getProperty(PROPERTY);
        return name == null || name.isBlank() ? Optional.empty() : Optional.of(name.trim());
    }

    /** The operating system the rule sees: {@code greenloop.test.os} when set, else {@code os.name}. */
    public static Os os() {
        String override = System.getProperty(OS_PROPERTY);
        if (override != null && !override.isBlank()) {
            return switch (override.trim().toLowerCase(Locale.ROOT)) {
                case "linux" -> Os.LINUX;
                case "macos", "mac", "bsd" -> Os.MACOS_OR_BSD;
                default -> throw new IllegalArgumentException(OS_PROPERTY + " must be linux or macos, not " + override);
            };
        }
        String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (name.startsWith("linux")) {
            return Os.LINUX;
        }
        return name.contains("mac") || name.contains("bsd") ? Os.MACOS_OR_BSD : Os.OTHER;
    }

    /** Whether {@code transport} is made for {@code os}; NIO (and any other) is made for every one. */
    static boolean madeFor(String transport, Os os) {
        return switch (transport) {
            case "epoll" -> os == Os.LINUX;
            case "kqueue" -> os == Os.MACOS_OR_BSD;
            default -> true;
        };
    }

    /** The rule for {@code transport} on this machine, as {@link #os()} sees it. */
    public static Decision decide(String transport) {
        TransportProvider provider = ServiceLoader.load(TransportProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.name().equals(transport)).findFirst().orElse(null);
        if (provider != null && provider.isAvailable()) {
            return new Decision.Run();
        }
        String why = provider == null ? "no provider of the transport " + transport + " is on the class path"
                : transport + " is unavailable: " + provider.unavailabilityCause();
        Os os = os();
        return madeFor(transport, os) ? new Decision.Fail(why + " (on " + os + ", which it is made for)")
                : new Decision.Skip(why + " (" + transport + " is not made for " + os + ")");
    }

    /** Returns when {@code transport}'s tests run here; fails or aborts (skips) the calling test otherwise. */
    public static void require(String transport) {
        switch (decide(transport)) {
            case Decision.Run run -> { }
            case Decision.Fail fail -> throw new AssertionError(fail.reason());
            case Decision.Skip skip -> abort(skip.reason());
        }
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> transport = chosen();
        if (transport.isPresent() && decide(transport.get()) instanceof Decision.Skip skip) {
            return ConditionEvaluationResult.disabled(skip.reason());
        }
        return ConditionEvaluationResult.enabled("the transport under test runs here, or none was chosen");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        chosen().ifPresent(TransportUnderTest::require);
    }
}
