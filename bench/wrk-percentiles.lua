-- wrk's summary of latency percentiles on one line (bench/run-tail.sh reads it): p50 to p99.99 and the maximum,
-- in microseconds, and how many requests were answered.
done = function(summary, latency, requests)
  for _, p in ipairs({50, 90, 95, 98, 99, 99.5, 99.9, 99.99}) do
    io.write(string.format("p%s=%dus ", p, latency:percentile(p)))
  end
  io.write(string.format("max=%dus n=%d\n", latency.max, summary.requests))
end
