/**
 * HTTP/1.1 on greenloop's loops: {@code io.greenloop.http}'s server, one greenlet per connection with handlers
 * written in blocking style. Needs what {@code greenloop.loop} needs (see {@code io.greenloop.internal.GreenletThreads}).
 */
module greenloop.http {
    requires transitive greenloop.loop;
    requires java.management;

    exports io.greenloop.http;
}
