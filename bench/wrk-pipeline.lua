-- wrk script for pipelined HTTP/1.1 (TechEmpower plaintext rules): every send is DEPTH copies of the request wrk
-- would send, in one write, and wrk counts each answer. usage: wrk -s bench/wrk-pipeline.lua URL -- DEPTH
-- (bench/run-http.sh passes 16 and TechEmpower's headers with -H).
init = function(args)
  local depth = tonumber(args[1] or "16")
  if depth == nil or depth < 1 then
    error("wrk-pipeline.lua: give the pipeline depth, a whole number of 1 or more, after --")
  end
  batch = string.rep(wrk.format(), depth)
end

request = function()
  return batch
end
