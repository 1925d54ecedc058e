/**
 * The worker thread of `config.cjs` (`node -r envvault/config`): resolves the environment,
 * posts the outcome on the port it was given, then wakes the waiting main thread, which
 * cannot hear any event until then, so it is woken whatever happens here.
 */
import { workerData, type MessagePort } from "node:worker_threads";

const { port, signal, cwd } = workerData as { port: MessagePort; signal: Int32Array; cwd: string };
try {
  const { preload } = await import("./preload.js");
  port.postMessage(await preload(process.env, cwd));
} catch (e) {
  port.postMessage({ assign: {}, stderr: `envvault: error: envvault/config failed to load: ${e instanceof Error ? e.message : String(e)}\n`, exitCode: 1 });
} finally {
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}
