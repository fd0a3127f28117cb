/**
 * The transport on {@link java.nio.channels.Selector}, available everywhere and the fallback when no native
 * transport loads. Only its provider is public (for {@link java.util.ServiceLoader}); nothing here is for
 * applications.
 */
package io.greenloop.nio;
