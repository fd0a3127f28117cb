/** JMH benchmarks and the comparison servers; for measuring greenloop, not part of the library. */
package io.greenloop.bench;
