/** The rules of vault.yaml's `variables` that a value must keep, and where a variable is required. Pure. */
import type { ValueType, VariableDef } from "./config.js";

/** Why a value breaks its variable's rules, or undefined. Never quotes the value. */
export function checkValue(def: VariableDef, value: string): string | undefined {
  if (def.enum !== undefined && !def.enum.includes(value)) return `is not one of ${def.enum.join(", ")}`;
  if (def.type !== undefined) {
    const why = checkType(def.type, value);
    if (why !== undefined) return why;
  }
  if (def.pattern !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${def.pattern})$`, "u");
    } catch {
      return `cannot be checked: its pattern is not a valid regular expression`;
    }
    if (!re.test(value)) return `does not match the pattern ${def.pattern}`;
  }
  return undefined;
}

function checkType(type: ValueType, v: string): string | undefined {
  switch (type) {
    case "string":
      return undefined;
    case "int":
      return /^-?(0|[1-9][0-9]*)$/.test(v) ? undefined : "is not an integer";
    case "bool":
      return /^(true|false|1|0|yes|no|on|off)$/i.test(v) ? undefined : "is not a boolean (true/false, 1/0, yes/no, on/off)";
    case "port": {
      const n = /^[0-9]{1,5}$/.test(v) ? Number(v) : NaN;
      return n >= 1 && n <= 65535 ? undefined : "is not a port number (1-65535)";
    }
    case "email":
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? undefined : "is not an email address";
    case "url":
      try {
        const u = new URL(v);
        return u.protocol.length > 1 ? undefined : "is not a URL";
      } catch {
        return "is not a URL";
      }
    case "json":
      try {
        JSON.parse(v);
        return undefined;
      } catch {
        return "is not valid JSON";
      }
  }
}

/** Whether an environment must hold a variable (inherited values count as held). */
export function requiredIn(def: VariableDef, env: string): boolean {
  return def.required === true || (def.required_in ?? []).includes(env);
}
