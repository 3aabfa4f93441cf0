#!/usr/bin/env node
/**
 * Entry point of the `warden` command. `warden --version` answers before anything else is
 * loaded (scripts call it to check the install; it must take well under 100 ms); every other
 * invocation loads the command line (program.ts), whose commands load their modules lazily.
 */
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { VERSION } = await import('./version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  await import('./program.js');
}
