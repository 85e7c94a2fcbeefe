import { LUA_NOW_MS, RedisScript } from './redis-script.ts';

/**
 * The Lua scripts of the spend store kept in Redis. Every script takes the same three keys:
 * - KEYS[1], the totals: a hash of `settled`, `possibly`, `reserved` and `peak`, in units;
 * - KEYS[2], the entries: a hash of billing key → the entry as JSON (money in units);
 * - KEYS[3], the entries' times: a sorted set of billing keys scored by their last change.
 * An entry and the totals change in one script, so the totals always equal the sum of the entries.
 */

/** Lua: reads and writes entries, moving their money between the totals. */
const LUA_ENTRIES = `${LUA_NOW_MS}
local function read(key)
  local raw = redis.call('HGET', KEYS[2], key)
  if raw then return cjson.decode(raw) end
  return nil
end
local function count(entry, sign)
  local field, units
  if entry.state == 'reserved' then field, units = 'reserved', entry.estimate
  elseif entry.state == 'possibly-billed' then field, units = 'possibly', entry.estimate
  elseif entry.state == 'settled' then field, units = 'settled', entry.cost
  end
  if field and units ~= 0 then redis.call('HINCRBY', KEYS[1], field, sign * units) end
end
local function total(field)
  return tonumber(redis.call('HGET', KEYS[1], field) or '0')
end
local function committed()
  return total('settled') + total('possibly') + total('reserved')
end
local function raise_peak(value)
  if value > total('peak') then redis.call('HSET', KEYS[1], 'peak', value) end
end
local function write(key, entry)
  local previous = read(key)
  if previous then count(previous, -1) end
  local now = now_ms()
  entry.updatedAt = now
  redis.call('HSET', KEYS[2], key, cjson.encode(entry))
  redis.call('ZADD', KEYS[3], now, key)
  count(entry, 1)
end`;

/**
 * Holds an estimate when settled plus possibly billed plus reserved plus it stays within the cap (a
 * zero amount fits while the sum is below it): the check and the hold are one step, so two processes
 * can never both take the last dollar. A key already held (reserved or possibly billed) or settled is
 * answered as inherited, without a second hold.
 *
 * ARGV: billing key, model, units, cap units (-1: no cap)
 * Reply: { 1 | 0, committed units before, inherited state or nil }
 */
export const RESERVE = new RedisScript(`${LUA_ENTRIES}
local key = ARGV[1]
local units = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local before = committed()
local existing = read(key)
if existing and existing.state ~= 'released' then return { 1, before, existing.state } end
if cap >= 0 and (before + units > cap or (units == 0 and before >= cap)) then return { 0, before } end
write(key, { model = ARGV[2], state = 'reserved', estimate = units })
raise_peak(before + units)
return { 1, before }`);

/** A reserved entry becomes possibly billed. ARGV: billing key */
export const MARK_POSSIBLY_BILLED = new RedisScript(`${LUA_ENTRIES}
local entry = read(ARGV[1])
if entry and entry.state == 'reserved' then
  entry.state = 'possibly-billed'
  write(ARGV[1], entry)
end
return 0`);

/**
 * Charges an entry once: the given cost, else its estimate, else the given estimate for a key never
 * held here. A settled entry stays as it is.
 *
 * ARGV: billing key, model, cost units or '', cost source or '', estimate units or '', provider job id or ''
 */
export const SETTLE = new RedisScript(`${LUA_ENTRIES}
local key = ARGV[1]
local entry = read(key)
if entry and entry.state == 'settled' then return 0 end
local estimate = 0
if entry and entry.state ~= 'released' then estimate = entry.estimate
elseif ARGV[5] ~= '' then estimate = tonumber(ARGV[5]) end
local settled = { model = ARGV[2], state = 'settled', estimate = estimate, cost = estimate, source = 'estimated' }
if entry then settled.model = entry.model; settled.providerJobId = entry.providerJobId end
if ARGV[3] ~= '' then
  settled.cost = tonumber(ARGV[3])
  settled.source = ARGV[4] ~= '' and ARGV[4] or 'reported'
end
if ARGV[6] ~= '' then settled.providerJobId = ARGV[6] end
write(key, settled)
raise_peak(committed())
return 0`);

/**
 * Returns an entry's hold: a reserved one, or (unless ARGV[2] is '1') a possibly billed one. Settled
 * and released entries stay as they are.
 *
 * ARGV: billing key, '1' to release only a reserved entry
 */
export const RELEASE = new RedisScript(`${LUA_ENTRIES}
local entry = read(ARGV[1])
if not entry then return 0 end
if entry.state == 'reserved' or (entry.state == 'possibly-billed' and ARGV[2] ~= '1') then
  entry.state = 'released'
  write(ARGV[1], entry)
  return 1
end
return 0`);

/** Reply: { settled, possibly billed, reserved, peak } units. */
export const TOTALS =
  new RedisScript(`local values = redis.call('HMGET', KEYS[1], 'settled', 'possibly', 'reserved', 'peak')
for index = 1, 4 do values[index] = tonumber(values[index] or '0') end
return values`);

/**
 * Reply: billing key, entry as JSON, billing key, ..., oldest change first.
 * ARGV: since ms ('-inf'), until ms ('+inf')
 */
export const ENTRIES = new RedisScript(`local keys = redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[1], ARGV[2])
local entries = {}
for index, key in ipairs(keys) do
  entries[2 * index - 1] = key
  entries[2 * index] = redis.call('HGET', KEYS[2], key) or ''
end
return entries`);
