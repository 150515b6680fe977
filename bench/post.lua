-- wrk: POST the 1 KB order body (bench/order.json) with the bench key.
wrk.method = "POST"
local f = io.open("bench/order.json", "r")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["apikey"] = "bench-secret-key-0001"
