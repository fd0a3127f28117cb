package io.greenloop.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Loads greenloop's classes ahead, before a loop runs, when they come from a class directory (an IDE,
 * {@code mvn exec}, a test runner): there each class is a file, and out of file descriptors no file opens.
 * A path that runs only once something has failed (an accept's back-off and its log record, a close, the
 * loop's error report) would then throw {@link NoClassDefFoundError} the first time it ran, and a failed
 * resolution stays failed for that call site (JVMS 5.4.3), so that path would never work again, not even
 * once descriptors were free. Which classes such paths need is not a list anyone can keep right, so every
 * class under {@code io/greenloop/} of the directory is loaded; linking them later then opens nothing, since
 * every class their verification may need is loaded already (the JDK's come from its runtime image, open
 * from the start). Classes in a jar need nothing: the jar is open already. Loaded, not initialized: no
 * static initializer runs early. Each directory is walked once per JVM. Not for applications. Any thread.
 */
public final class ClassPreloader {

    /** Only greenloop's own classes: a directory shared with an application's classes does not load the application. */
    private static final String PACKAGE_DIRECTORY = "io/greenloop";
    private static final String CLASS_SUFFIX = ".class";

    /** Directories walked already, or being walked. */
    private static final Set<Path> WALKED = ConcurrentHashMap.newKeySet();

    private ClassPreloader() {
    }

    /**
     * Loads the greenloop classes of the class directory each of {@code anchors} came from, unless it came from
     * a jar (or from no file at all) or that directory was loaded before. Throws {@link UncheckedIOException}
     * when a directory cannot be read, which is better found out at once than when descriptors run out.
     *
     * @param anchors classes whose class directories to load, greenloop's and a transport provider's
     */
    public static void loadDirectoriesOf(Class<?>... anchors) {
        for (Class<?> anchor : anchors) {
            Path directory = classDirectory(anchor);
            if (directory != null && WALKED.add(directory)) {
                loadAll(directory, anchor.getClassLoader());
            }
        }
    }

    private static Path classDirectory(Class<?> anchor) {
        CodeSource source = anchor.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null || !"file".equals(location.getProtocol())) {
            return null;
        }
        try {
            Path path = Path.of(location.toURI());
            return Files.isDirectory(path) ? path : null;
        } catch (URISyntaxException | IllegalArgumentException notAPath) {
            return null;
        }
    }

    private static void loadAll(Path directory, ClassLoader loader) {
        Path root = directory.resolve(PACKAGE_DIRECTORY);
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> classFiles;
        try (Stream<Path> files = Files.walk(root)) {
            classFiles = files.filter(file -> file.toString().endsWith(CLASS_SUFFIX)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list greenloop's classes in " + directory
                    + " to load them ahead (out of descriptors later, no class file could be opened)", e);
        }
        for (Path file : classFiles) {
            load(className(directory, file), loader);
        }
    }

    private static String className(Path directory, Path file) {
        String relative = directory.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
        return relative.substring(0, relative.length() - CLASS_SUFFIX.length());
    }

    private static void load(String name, ClassLoader loader) {
        if (name.endsWith("package-info") || name.endsWith("module-info")) {
            return;
        }
        try {
            Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError unusable) {
            // A class that cannot load now (an optional dependency missing) cannot run later either: nothing to prepare.
        }
    }
}
