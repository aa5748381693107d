-- strings.lua: 300 000 strings into a table, then counted by length (bench/real.sh, guard_real.sh).
local t = {}
for i = 1, 300000 do t[i] = tostring(i) .. "x" end
local counts = {}
for _, v in ipairs(t) do local k = #v; counts[k] = (counts[k] or 0) + 1 end
print(#t, counts[7])
