package io.greenloop.internal;

/**
 * Writes the {@code --add-opens} flag that lets one of greenloop's modules reach the package-private members of
 * another module's package, so that every message that asks for such a flag spells it the same way: the reader is
 * greenloop's own module on the module path, and {@code ALL-UNNAMED} on the class path. Any thread.
 */
public final class AddOpens {

    private AddOpens() {
    }

    /**
     * The flag that opens the package of {@code inPackage} to {@code reader}, such as
     * {@code --add-opens java.base/java.lang=greenloop.loop}; {@code null} when that package is in an unnamed module,
     * which no flag can open (on the class path everything is one unnamed module, and nothing needs opening).
     *
     * @param inPackage a class of the package to open
     * @param reader    the module that needs to reach into it
     * @return the flag, or {@code null} when none can open it
     */
    public static String flag(Class<?> inPackage, Module reader) {
        Module owner = inPackage.getModule();
        if (!owner.isNamed()) {
            return null;
        }
        return "--add-opens " + owner.getName() + "/" + inPackage.getPackageName() + "="
                + (reader.isNamed() ? reader.getName() : "ALL-UNNAMED");
    }
}
