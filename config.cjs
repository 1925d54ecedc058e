// `node -r envvault/config app.js`: fills process.env from the vault before the application
// starts, like dotenv/config (ENVVAULT_ENV chooses the environment). A CommonJS preload must
// finish synchronously, and decrypting is asynchronous: the work runs in a worker thread
// (dist/lib/src/config-worker.js) while this thread waits on a shared flag, then takes the
// outcome from the message port without returning to the event loop.
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");
const { MessageChannel, Worker, isMainThread, receiveMessageOnPort } = require("node:worker_threads");

const script = join(__dirname, "dist", "lib", "src", "config-worker.js");
const failed = (why) => ({ assign: {}, stderr: `envvault: error: envvault/config ${why}\n`, exitCode: 1 });
let outcome;
// Worker threads inherit the preload (execArgv, NODE_OPTIONS): ours, and any other program's,
// must not start one more worker each.
if (!isMainThread) outcome = { assign: {}, stderr: "" };
else if (!existsSync(script)) outcome = failed(`is not built: ${script} is missing`);
else {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(script, { workerData: { port: port2, signal, cwd: process.cwd() }, transferList: [port2], execArgv: [] });
  worker.unref();
  // The worker always wakes us (config-worker.ts); the time limit only guards against a thread that never started.
  const waited = Atomics.wait(signal, 0, 0, 120_000);
  const received = receiveMessageOnPort(port1);
  port1.close();
  outcome = received === undefined ? failed(waited === "timed-out" ? "timed out waiting for its worker thread" : "got no answer from its worker thread") : received.message;
}
process.stderr.write(outcome.stderr);
if (outcome.exitCode !== undefined) process.exit(outcome.exitCode);
Object.assign(process.env, outcome.assign);
