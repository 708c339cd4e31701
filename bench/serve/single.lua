-- wrk: POST one request per call to /v1/decide (the body is the first line of $CORDON_REQUESTS).
local path = os.getenv("CORDON_REQUESTS") or "examples/iflytek_cloud_rental/requests.jsonl"
local f = assert(io.open(path, "r"))
wrk.body = f:read("*l")
f:close()
wrk.method = "POST"
wrk.path = "/v1/decide"
wrk.headers["Content-Type"] = "application/json"
