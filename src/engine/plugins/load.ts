/**
 * Loading policies and properties from plugin files (docs/plugins.md): a .js,
 * .mjs or .ts file imported through jiti (TypeScript stripped, `pinlab/plugin`
 * resolved to this pinlab's API wherever the file lives), its definitions
 * checked against the interface tables (plugin/answers.ts) and registered.
 * The main thread loads what `--policy FILE` names; every worker thread loads
 * the same files again (loadedPlugins() travels in its workerData) and checks
 * their content hashes.
 *
 * A broken plugin is bad input, never a pinlab bug: every failure, at load or
 * at a call during a search, is a PluginError naming the file and line.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { createJiti } from "jiti";
import type { Policy, PolicyModule } from "../../model/policy.js";
import { type AnswerRule, POLICY_ANSWERS, PROPERTY_FIELDS } from "../../plugin/answers.js";
import {
  PLUGIN_API_VERSION,
  type PolicyDefinition,
  type PropertyDefinition,
} from "../../plugin/index.js";
import { DEFAULT_ANSWERS, PROPOSAL_DEFAULTS } from "../../policies/base.js";
import {
  isBuiltinPolicy,
  POLICY_NAMES,
  policyOrigin,
  registerPolicy,
  unregisterPolicy,
} from "../../policies/index.js";
import {
  isBuiltinProperty,
  PROPERTY_NAMES,
  registerProperty,
  unregisterProperty,
} from "../../properties/index.js";
import type { Property } from "../../properties/property.js";
import { closest } from "../../util/suggest.js";

/** A loaded plugin file, as workers are told of it. */
export interface PluginRef {
  /** Absolute path. */
  readonly path: string;
  /** The path as the user gave it (for messages). */
  readonly shown: string;
  /** 16 hex digits of the SHA-256 of the file's bytes. */
  readonly hash: string;
}

export interface LoadedPlugin extends PluginRef {
  readonly policies: readonly string[];
  readonly properties: readonly string[];
}

const MARK = "pinlab plugin error: ";

/** A plugin failed (bad input: exit 2). Its message starts with the file:line. */
export class PluginError extends Error {
  constructor(message: string) {
    super(`${MARK}${message}`);
    this.name = "PluginError";
  }
}

/** The message of a plugin failure, also one that crossed from a worker thread; else null. */
export function pluginFailure(e: unknown): string | null {
  const msg = (e as { message?: unknown })?.message;
  if (typeof msg !== "string") return null;
  const at = msg.indexOf(MARK);
  return at < 0 ? null : msg.slice(at + MARK.length);
}

const loaded: LoadedPlugin[] = [];

/** The plugin files loaded in this thread, in order (workers load the same). */
export function loadedPlugins(): readonly PluginRef[] {
  return loaded.map(({ path, shown, hash }) => ({ path, shown, hash }));
}

/** Forgets every plugin: registries back to the built-in policies and properties. */
export function unloadPlugins(): void {
  for (const p of loaded) {
    for (const n of p.policies) unregisterPolicy(n);
    for (const n of p.properties) unregisterProperty(n);
  }
  loaded.length = 0;
}

export function contentHash(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 16);
}

/** The API module that `pinlab/plugin` names inside a plugin. */
const apiFile = () => fileURLToPath(new URL("../../plugin/index.js", import.meta.url));

/** file:line:col of the first stack frame in the plugin, or the first line that names the file. */
function frameIn(e: unknown, path: string, shown: string): string | null {
  const stack = String((e as { stack?: unknown })?.stack ?? "");
  const url = pathToFileURL(path).href;
  for (const line of stack.split("\n")) {
    const at = line.includes(url) ? line.indexOf(url) : line.indexOf(path);
    if (at < 0) continue;
    const rest = line.slice(at + (line.includes(url) ? url.length : path.length));
    const m = /^:(\d+)(?::(\d+))?/.exec(rest);
    if (m) return `${shown}:${m[1]}${m[2] ? `:${m[2]}` : ""}`;
  }
  return null;
}

/** The line of the first mention of `word` in the source (1-based), for a mistyped answer. */
function lineOf(text: string, word: string): number | null {
  const lines = text.split("\n");
  const re = new RegExp(`\\b${word.replace(/[^\w-]/g, "")}\\b`);
  for (let i = 0; i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  return null;
}

function show(v: unknown): string {
  if (typeof v === "function") return "a function";
  if (v === undefined) return "undefined";
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

function describeThrow(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `threw ${show(e)}`;
}

/**
 * The jiti instance: no cache on disk, each file read fresh; source maps keep
 * line numbers. Imported when the first plugin loads, so that a program that
 * loads none (the playground's bundle) never evaluates it.
 */
let jitiInstance: ReturnType<typeof createJiti> | null = null;
async function jiti(): Promise<ReturnType<typeof createJiti>> {
  const { createJiti } = await import("jiti");
  jitiInstance ??= createJiti(import.meta.url, {
    alias: { "pinlab/plugin": apiFile() },
    fsCache: false,
    moduleCache: false,
    sourceMaps: true,
    interopDefault: false,
  });
  return jitiInstance;
}

/** The definitions a module exports (default and named; arrays of them too). */
function definitions(mod: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<unknown>();
  const add = (v: unknown) => {
    if (Array.isArray(v)) {
      for (const x of v) add(x);
      return;
    }
    if (typeof v !== "object" || v === null || seen.has(v)) return;
    if (!("pinlab" in v) && !("apiVersion" in v)) return;
    seen.add(v);
    out.push(v);
  };
  for (const k of Object.keys(mod)) add(mod[k]);
  return out;
}

/**
 * Loads a plugin file and registers its policies and properties. A file
 * already loaded with the same content is not loaded again.
 */
export async function loadPlugin(
  path: string,
  shown: string,
): Promise<{ ok: true; plugin: LoadedPlugin } | { ok: false; error: string }> {
  try {
    return { ok: true, plugin: await loadOrThrow(path, shown) };
  } catch (e) {
    const msg = pluginFailure(e);
    if (msg !== null) return { ok: false, error: msg };
    throw e;
  }
}

async function loadOrThrow(path: string, shown: string): Promise<LoadedPlugin> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new PluginError(`${shown}: cannot read the plugin: ${(e as Error).message}`);
  }
  const hash = contentHash(bytes);
  const before = loaded.find((p) => p.path === path);
  if (before) {
    if (before.hash !== hash)
      throw new PluginError(
        `${shown}: changed while pinlab ran (content hash ${before.hash}, now ${hash})`,
      );
    return before;
  }
  const text = bytes.toString("utf8");
  let mod: Record<string, unknown>;
  try {
    mod = (await (await jiti()).import(path)) as Record<string, unknown>;
  } catch (e) {
    // jiti's parse errors name the file as "path:line:col"
    const where = frameIn(e, path, shown) ?? shown;
    // the message without the location jiti appends (it is in front already)
    const msg = (e instanceof Error ? e.message : String(e))
      .replaceAll(path, shown)
      .replace(/\s+/g, " ")
      .replace(/\s*\S*:\d+:\d+\s*$/, "")
      .trim();
    throw new PluginError(`${where}: the plugin does not load: ${msg}`);
  }
  const defs = definitions(mod);
  if (defs.length === 0)
    throw new PluginError(
      `${shown}:1: exports no policy or property: write \`export default definePolicy({ ... })\` (import { definePolicy } from "pinlab/plugin")`,
    );
  const at = (def: { definedAt?: unknown }, word?: string): string => {
    const line = word ? lineOf(text, word) : null;
    if (line !== null) return `${shown}:${line}`;
    const d = typeof def.definedAt === "string" ? /:(\d+)$/.exec(def.definedAt) : null;
    return `${shown}:${d ? d[1] : 1}`;
  };
  const policies: PolicyModule[] = [];
  const properties: Property[] = [];
  for (const d of defs) {
    const def = d as Record<string, unknown>;
    if (def.apiVersion !== PLUGIN_API_VERSION)
      throw new PluginError(
        `${at(def, "apiVersion")}: written for plugin API version ${show(def.apiVersion)}; this pinlab has version ${PLUGIN_API_VERSION} (see docs/plugins.md)`,
      );
    if (def.pinlab === "policy")
      policies.push(policyModule(def as unknown as PolicyDefinition, path, shown, at));
    else if (def.pinlab === "property")
      properties.push(property(def as unknown as PropertyDefinition, path, shown, at));
    else
      throw new PluginError(
        `${at(def)}: ${show(def.pinlab)} is neither a policy nor a property: make it with definePolicy or defineProperty`,
      );
  }
  const names = new Set<string>();
  for (const p of [...policies, ...properties]) {
    if (names.has(p.name)) throw new PluginError(`${shown}: defines ${p.name} twice`);
    names.add(p.name);
  }
  const origin = { file: basename(path), hash };
  for (const p of policies) registerPolicy(p, origin);
  for (const p of properties) registerProperty(p);
  const plugin: LoadedPlugin = {
    path,
    shown,
    hash,
    policies: policies.map((p) => p.name),
    properties: properties.map((p) => p.name),
  };
  loaded.push(plugin);
  return plugin;
}

type At = (def: { definedAt?: unknown }, word?: string) => string;

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

function checkName(
  def: Record<string, unknown>,
  what: "policy" | "property",
  at: At,
  builtin: (n: string) => boolean,
  taken: readonly string[],
): string {
  const name = def.name;
  if (typeof name !== "string" || !NAME.test(name))
    throw new PluginError(
      `${at(def, "name")}: a ${what}'s name must be lower-case letters, digits and '-', starting with a letter (got ${show(name)})`,
    );
  if (name === "all") throw new PluginError(`${at(def, "name")}: 'all' is not a ${what} name`);
  if (builtin(name))
    throw new PluginError(
      `${at(def, "name")}: the ${what} name '${name}' collides with a built-in ${what}: give yours another name`,
    );
  if (taken.includes(name)) {
    const from = what === "policy" ? policyOrigin(name) : undefined;
    throw new PluginError(
      `${at(def, "name")}: the ${what} name '${name}' is taken by another plugin${from ? ` (${from.file})` : ""}`,
    );
  }
  for (const k of ["summary", ...(what === "policy" ? ["source"] : [])])
    if (typeof def[k] !== "string" || (def[k] as string).trim() === "")
      throw new PluginError(`${at(def, k)}: ${what} ${name}: '${k}' must be a non-empty string`);
  return name;
}

function checkRule(rule: AnswerRule, v: unknown, key: string, owner: string, where: string): void {
  if (rule.form === "value") {
    if (!rule.ok(v))
      throw new PluginError(`${where}: ${owner}: '${key}' must be ${rule.what} (got ${show(v)})`);
  } else if (!(typeof v === "function" || (rule.optional && v === undefined)))
    throw new PluginError(`${where}: ${owner}: '${key}' must be ${rule.what} (got ${show(v)})`);
}

/**
 * Wraps a function answer: a throw becomes a PluginError at the plugin's
 * line, and a result outside the interface one naming what was expected.
 */
function guard<F extends (...args: never[]) => unknown>(
  f: F,
  rule: AnswerRule & { form: "function" },
  key: string,
  owner: string,
  path: string,
  shown: string,
  fallback: string,
): F {
  return ((...args: never[]) => {
    let r: unknown;
    try {
      r = f(...args);
    } catch (e) {
      if (pluginFailure(e) !== null) throw e;
      throw new PluginError(
        `${frameIn(e, path, shown) ?? fallback}: ${owner}: '${key}' threw: ${describeThrow(e)}`,
      );
    }
    if (!rule.result(r))
      throw new PluginError(
        `${fallback}: ${owner}: '${key}' returned ${show(r)}; it must return ${rule.returns}`,
      );
    return r;
  }) as F;
}

function policyModule(def: PolicyDefinition, path: string, shown: string, at: At): PolicyModule {
  const raw = def as unknown as Record<string, unknown>;
  const name = checkName(raw, "policy", at, isBuiltinPolicy, POLICY_NAMES);
  const owner = `policy ${name}`;
  const params = raw.params ?? [];
  if (!Array.isArray(params))
    throw new PluginError(
      `${at(raw, "params")}: ${owner}: 'params' must be an array of parameters`,
    );
  for (const p of params as unknown[]) {
    const q = p as Record<string, unknown>;
    const ok =
      typeof q === "object" &&
      q !== null &&
      typeof q.name === "string" &&
      NAME.test(q.name) &&
      Array.isArray(q.values) &&
      q.values.length > 0 &&
      q.values.every((v) => typeof v === "string") &&
      typeof q.default === "string" &&
      typeof q.doc === "string";
    if (!ok)
      throw new PluginError(
        `${at(raw, "params")}: ${owner}: each parameter must be { name, values: string[], default, doc } (got ${show(p)})`,
      );
    const numeric =
      (q.values as string[]).length === 1 && (q.values as string[])[0]!.startsWith("<");
    if (
      numeric
        ? !/^\d+$/.test(q.default as string)
        : !(q.values as string[]).includes(q.default as string)
    )
      throw new PluginError(
        `${at(raw, q.name as string)}: ${owner}: the default of '${q.name}' (${show(q.default)}) is not one of its values`,
      );
  }
  if (typeof raw.answers !== "function")
    throw new PluginError(
      `${at(raw, "answers")}: ${owner}: 'answers' must be a function (params) => ({ layoutChange, ... }) (got ${show(raw.answers)})`,
    );
  const spec = params as PolicyModule["params"];
  const answerLine = at(raw, "answers");
  const make = (given: Readonly<Record<string, string>>): Policy => {
    const values: Record<string, string> = {};
    for (const s of spec) values[s.name] = given[s.name] ?? s.default;
    let body: unknown;
    try {
      body = def.answers(values);
    } catch (e) {
      if (pluginFailure(e) !== null) throw e;
      throw new PluginError(
        `${frameIn(e, path, shown) ?? answerLine}: ${owner}: 'answers' threw: ${describeThrow(e)}`,
      );
    }
    if (typeof body !== "object" || body === null)
      throw new PluginError(
        `${answerLine}: ${owner}: 'answers' must return an object (got ${show(body)})`,
      );
    const given2 = body as Record<string, unknown>;
    const known = Object.keys(POLICY_ANSWERS);
    for (const k of Object.keys(given2))
      if (!known.includes(k)) {
        const near = closest(k, known);
        throw new PluginError(
          `${at(raw, k)}: ${owner}: '${k}' is no answer of the policy interface${near ? ` (did you mean '${near}'?)` : ""}; answers: ${known.join(", ")}`,
        );
      }
    const merged: Record<string, unknown> = { ...PROPOSAL_DEFAULTS, ...given2 };
    for (const [k, rule] of Object.entries(POLICY_ANSWERS) as [string, AnswerRule][]) {
      const v = merged[k];
      if (v === undefined && !rule.optional)
        throw new PluginError(
          `${at(raw, "answers")}: ${owner}: the answer '${k}' is missing: it must be ${rule.what}`,
        );
      checkRule(rule, v, k, owner, at(raw, k));
      if (rule.form === "function" && typeof v === "function")
        merged[k] = guard(v as (...a: never[]) => unknown, rule, k, owner, path, shown, at(raw, k));
    }
    // What `pinlab policies` prints for each question: the default's text, or
    // that the plugin answers it itself.
    const answers = Object.fromEntries(
      (Object.keys(DEFAULT_ANSWERS) as (keyof typeof DEFAULT_ANSWERS)[]).map((q) => [
        q,
        given2[q] === undefined ? DEFAULT_ANSWERS[q] : `as ${shown} answers it`,
      ]),
    ) as Policy["answers"];
    return {
      ...(merged as unknown as Omit<Policy, "name" | "summary" | "source" | "params" | "answers">),
      answers,
      name,
      summary: def.summary,
      source: def.source,
      params: values,
    };
  };
  // The answers for the defaults are checked now, so that a mistyped answer is reported at load.
  // (--param values are validated by checkParams, as for built-in policies.)
  make({});
  return { name, summary: def.summary, source: def.source, params: spec, create: make };
}

function property(def: PropertyDefinition, path: string, shown: string, at: At): Property {
  const raw = def as unknown as Record<string, unknown>;
  const name = checkName(raw, "property", at, isBuiltinProperty, PROPERTY_NAMES);
  const owner = `property ${name}`;
  const out: Record<string, unknown> = { name, summary: def.summary };
  for (const [k, rule] of Object.entries(PROPERTY_FIELDS) as [string, AnswerRule][]) {
    const v = raw[k];
    checkRule(rule, v, k, owner, at(raw, k));
    out[k] =
      rule.form === "function" && typeof v === "function"
        ? guard(v as (...a: never[]) => unknown, rule, k, owner, path, shown, at(raw, k))
        : v;
  }
  if (!out.onStep && !out.atEnd && !out.pending)
    throw new PluginError(`${at(raw)}: ${owner}: give at least one of onStep, atEnd, pending`);
  if ((def.kind === "liveness") !== (out.pending !== undefined))
    throw new PluginError(
      `${at(raw, "pending")}: ${owner}: a liveness property needs 'pending', and only a liveness property has one`,
    );
  return out as unknown as Property;
}

/** Loads the plugins a worker thread was given, checking each file's content hash. */
export async function loadPluginsInWorker(refs: readonly PluginRef[] | undefined): Promise<void> {
  for (const r of refs ?? []) {
    const p = await loadOrThrow(r.path, r.shown);
    if (p.hash !== r.hash)
      throw new PluginError(
        `${r.shown}: changed while pinlab ran (content hash ${r.hash}, now ${p.hash})`,
      );
  }
}

/** The path to show for a plugin: as the user gave it (absolute when it was not given). */
export function shownPath(given: string, abs: string): string {
  return given === "" ? abs : given;
}
