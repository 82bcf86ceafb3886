-- The JSON call of the HTTP benchmark (bench/http_bench.sh, bench/profile.sh
-- http rtc), for wrk -s: our Connect BuildRtcTokenWithUid, the Express
-- peer's same path.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"appId":"970CA35de60c44645bbae8a215061b33","channelName":"bench","uid":42,"tokenExpireSeconds":3600}'
