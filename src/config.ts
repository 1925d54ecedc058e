/**
 * `node --import envvault/config app.js`: fills `process.env` from the vault before the
 * application starts, like `dotenv/config`. ENVVAULT_ENV chooses the environment and
 * ENVVAULT_CONTEXT the context; variables the process environment already sets keep their
 * value. A failure (no identity, no access, a tampered file) stops the program with the
 * error and exit code `vault` would give.
 */
import { preload, settle } from "./preload.js";

settle(await preload(process.env, process.cwd()));
