package io.greenloop.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The C floor as the runners compile it: bench/peers.sh's floor_binary, run from the repository root. */
final class CompiledFloor {

    private CompiledFloor() {
    }

    /** The compiled floor, or null when its source or gcc is absent here (floor_binary then says so on stderr). */
    static Path path() throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath().getParent();  // surefire runs in bench/
        Process compile = new ProcessBuilder("bash", "-c", "source bench/peers.sh && floor_binary")
                .directory(root.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String binary = new String(compile.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (compile.waitFor() != 0) {
            throw new IOException("bench/peers.sh's floor_binary failed (its errors are above)");
        }
        return binary.isEmpty() ? null : root.resolve(binary);
    }
}
