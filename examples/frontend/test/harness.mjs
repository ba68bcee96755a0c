// Processes, ports and waiting for the end-to-end test: everything started here
// listens on 127.0.0.1, is bounded in time, and is stopped when the test process
// ends, however it ends.

import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const children = new Set();
const tempDirs = new Set();

/** Kills what is still running and removes temporary folders; synchronous, so safe in `exit`. */
export function killEverything() {
  killChildren();
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // a browser still writing into its profile: the next call removes it
    }
  }
}

function killChildren() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  children.clear();
}

const cleanups = [];

/** Registers an asynchronous clean-up (closing the browser) for an interrupted run. */
export function onInterrupt(cleanup) {
  cleanups.push(cleanup);
}

async function interrupted(reason) {
  console.error(`e2e: ${reason}; stopping servers and the browser`);
  // The synchronous part first: the test runner may not wait for the rest.
  killEverything();
  await withTimeout(Promise.allSettled(cleanups.map((cleanup) => cleanup())), 3000, "clean-up").catch(() => {});
  killEverything();
  process.exit(1);
}

process.on("exit", killEverything);
// When the test runner goes first, writing to its closed pipes must not crash the clean-up.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => void interrupted(`received ${signal}`));
}

/** A watchdog: the whole run may not take longer than `ms`. */
export function deadline(ms) {
  const timer = setTimeout(() => void interrupted(`the run exceeded ${ms / 1000} s`), ms);
  timer.unref();
}

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(address.port));
    });
  });
}

export function requireExecutable(path, variable) {
  if (!path) throw new Error(`${variable} is not set: point it at the executable`);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${variable}=${path} is not an executable file`);
  }
  return path;
}

/**
 * Starts a child process whose output is kept (the last lines) for diagnostics.
 * Returns { child, name, output(), exited } where `exited` settles when it ends.
 */
export function startProcess(name, command, args, { env, cwd }) {
  const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const lines = [];
  const listeners = new Set();
  const keep = (chunk) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line === "") continue;
      lines.push(line);
      if (lines.length > 200) lines.shift();
      for (const listener of listeners) listener(line);
    }
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
    child.once("error", (error) => {
      lines.push(`spawn error: ${error.message}`);
      children.delete(child);
      resolve({ code: null, signal: null, error });
    });
  });
  return {
    name,
    child,
    exited,
    output: () => lines.join("\n"),
    /** Resolves with the first output line matching `pattern`. */
    waitForLine(pattern, ms) {
      return withTimeout(new Promise((resolve, reject) => {
        const found = lines.find((line) => pattern.test(line));
        if (found !== undefined) return resolve(found);
        const listener = (line) => {
          if (pattern.test(line)) {
            listeners.delete(listener);
            resolve(line);
          }
        };
        listeners.add(listener);
        exited.then(({ code, signal }) =>
          reject(new Error(`${name} exited (code ${code}, signal ${signal}) before printing ${pattern}\n${lines.join("\n")}`)));
      }), ms, `${name} to print ${pattern}`);
    },
  };
}

/** Stops a process politely, then firmly. */
export async function stopProcess(proc, ms = 3000) {
  if (proc === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill("SIGTERM");
  const done = await Promise.race([proc.exited.then(() => true), sleep(ms).then(() => false)]);
  if (!done) {
    proc.child.kill("SIGKILL");
    await proc.exited;
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `url` until it answers 200, failing early when `proc` exits. */
export async function waitForHttp(url, proc, ms) {
  const until = Date.now() + ms;
  let exited = false;
  proc.exited.then(() => { exited = true; });
  let last = "no answer";
  while (Date.now() < until) {
    if (exited) throw new Error(`${proc.name} exited while starting:\n${proc.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${ms} ms (last: ${last})\n${proc.output()}`);
}
