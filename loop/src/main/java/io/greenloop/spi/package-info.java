/**
 * The transport SPI, for transport implementers: {@link io.greenloop.spi.Transport} (poll, dispatch,
 * wake-up, non-blocking handles) and {@link io.greenloop.spi.TransportProvider}, found with
 * {@link java.util.ServiceLoader}. Applications choose a transport with {@code Loop.open(name)} and never
 * call these types themselves.
 */
package io.greenloop.spi;
