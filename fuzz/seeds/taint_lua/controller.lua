module("luci.controller.diag", package.seeall)
function index()
  entry({"admin", "diag", "ping"}, call("action_ping")).leaf = true
  local page = entry({"diag", "trace"}, call("action_trace"))
  page.sysauth = false
  entry({"admin", "diag", "safe"}, call("action_safe"))
end
local function target()
  return luci.http.formvalue("host") or "127.0.0.1"
end
function action_ping()
  local host = target()
  luci.sys.call("ping -c 1 " .. host .. " >/tmp/out")
end
function action_trace()
  local sys = require "luci.sys"
  local h = luci.http.formvalue("h")
  local out = io.popen(string.format("traceroute %s", h))
end
function action_safe()
  local n = tonumber(luci.http.formvalue("n"))
  local h = luci.util.shellquote(luci.http.formvalue("h"))
  os.execute("sleep " .. n .. "; ping " .. h)
  os.execute(("ping %q"):format(luci.http.formvalue("x")))
end
