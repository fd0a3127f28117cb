/** The module-path smoke test of .ci/module-path: an application module that requires only greenloop's loop. */
module greenloop.smoke {
    requires greenloop.loop;
}
