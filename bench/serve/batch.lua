-- wrk: POST a batch of JSON Lines per call to /v1/decide: every line of $CORDON_REQUESTS, repeated
-- until the batch holds $CORDON_BATCH lines (default 1000). Decisions/s = requests/s x the batch.
local path = os.getenv("CORDON_REQUESTS") or "examples/iflytek_cloud_rental/requests.jsonl"
local size = tonumber(os.getenv("CORDON_BATCH") or "1000")
local lines = {}
for line in io.lines(path) do
  if line:match("%S") then lines[#lines + 1] = line end
end
local body = {}
for i = 1, size do body[i] = lines[(i - 1) % #lines + 1] end
wrk.body = table.concat(body, "\n") .. "\n"
wrk.method = "POST"
wrk.path = "/v1/decide"
wrk.headers["Content-Type"] = "application/x-ndjson"
