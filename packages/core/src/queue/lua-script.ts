import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Runs one of the product's Lua scripts through ioredis's `defineCommand`: the script's text goes to
 * Redis once per connection (EVAL), every later call sends only its SHA1 (EVALSHA), and a Redis that
 * lost its script cache (a restart, SCRIPT FLUSH) is sent the text again on NOSCRIPT. Sending the whole
 * text on every call (plain EVAL) costs the worker CPU to encode it and Redis the parsing, for nothing.
 *
 * Called like `redis.eval(lua, numberOfKeys, ...keysAndArgs)`. The command is named after the
 * script's SHA1 and its number of keys, so two scripts never share a name, and a changed script is a
 * new command.
 */
export function runLua(
  redis: Redis,
  lua: string,
  numberOfKeys: number,
  ...keysAndArgs: Array<string | number>
): Promise<unknown> {
  const command = defineLua(redis, lua, numberOfKeys);
  const fn = (redis as unknown as Record<string, (...a: string[]) => Promise<unknown>>)[command];
  if (typeof fn !== 'function') throw new Error(`could not define Lua command ${command}`);
  return fn.apply(redis, keysAndArgs.map(String));
}

/**
 * Defines the script on `redis` (once) and returns its command name. Pipelines and MULTIs made from
 * `redis` afterwards have the command too: ioredis copies the defined commands when it creates one.
 */
export function defineLua(redis: Redis, lua: string, numberOfKeys: number): string {
  // ioredis fixes the number of keys with the command: one script called with a different number is another command.
  let sha = shas.get(lua);
  if (!sha) {
    sha = createHash('sha1').update(lua).digest('hex').slice(0, 16);
    shas.set(lua, sha);
  }
  const command = `closrads_${sha}_${numberOfKeys}`;
  if (typeof (redis as unknown as Record<string, unknown>)[command] !== 'function')
    redis.defineCommand(command, { numberOfKeys, lua });
  return command;
}

/** Script text → its SHA1 (shortened); the product has a handful of scripts, all module constants. */
const shas = new Map<string, string>();
