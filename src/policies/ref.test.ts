/** Policy references: `name` and `name(k=v,...)` as `under` and `--policy` write them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePolicy, makePolicyFromRef } from "./index.js";
import { formatPolicyRef, parsePolicyRef, refTextMatches, splitPolicyList } from "./ref.js";

test("a reference reads back in canonical form, with the place of each parameter", () => {
  const r = parsePolicyRef("revoke( escalation = invalidate , lease-break-time=5)");
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.deepEqual(r.ref, {
    name: "revoke",
    params: { escalation: "invalidate", "lease-break-time": "5" },
  });
  assert.equal(formatPolicyRef(r.ref), "revoke(escalation=invalidate,lease-break-time=5)");
  const text = "revoke( escalation = invalidate , lease-break-time=5)";
  const p = r.places.escalation!;
  assert.equal(text.slice(p.key[0], p.key[1]), "escalation");
  assert.equal(text.slice(p.value[0], p.value[1]), "invalidate");
  assert.deepEqual(parsePolicyRef("linux"), {
    ok: true,
    ref: { name: "linux", params: {} },
    places: {},
  });
});

test("malformed references say what is wrong", () => {
  for (const [text, kind] of [
    ["revoke(", "syntax"],
    ["revoke()", "syntax"],
    ["revoke(escalation)", "syntax"],
    ["revoke(=x)", "syntax"],
    ["revoke(a=b) x", "syntax"],
    ["(a=b)", "syntax"],
    ["revoke(a=1,a=2)", "twice"],
  ] as const) {
    const r = parsePolicyRef(text);
    assert.ok(!r.ok, text);
    if (!r.ok) assert.equal(r.error.kind, kind, text);
  }
});

test("a bare name matches any parameters; a parameterised one only those values", () => {
  const dflt = makePolicy("revoke");
  const inv = makePolicy("revoke", { escalation: "invalidate" });
  assert.ok(dflt.ok && inv.ok);
  if (!dflt.ok || !inv.ok) return;
  assert.ok(refTextMatches("revoke", dflt.policy) && refTextMatches("revoke", inv.policy));
  assert.ok(refTextMatches("revoke(escalation=sigkill)", dflt.policy));
  assert.ok(!refTextMatches("revoke(escalation=sigkill)", inv.policy));
  assert.ok(refTextMatches("revoke(escalation=invalidate)", inv.policy));
  assert.ok(!refTextMatches("revoke(escalation=invalidate)", dflt.policy));
  assert.ok(!refTextMatches("wait(escalation=invalidate)", inv.policy));
});

test("--policy lists split at commas outside parentheses; a reference makes its instance", () => {
  assert.deepEqual(
    splitPolicyList("linux,revoke(escalation=invalidate,lease-break-time=5), wait"),
    ["linux", "revoke(escalation=invalidate,lease-break-time=5)", "wait"],
  );
  const r = makePolicyFromRef("revoke(escalation=invalidate)", { "lease-break-time": "5" });
  assert.ok(r.ok);
  if (r.ok)
    assert.deepEqual(r.policy.params, { escalation: "invalidate", "lease-break-time": "5" });
  const bad = makePolicyFromRef("revoke(escalation=invalidat)");
  assert.ok(!bad.ok);
  if (!bad.ok)
    assert.match(
      bad.error,
      /escalation must be sigkill or invalidate \(got invalidat; did you mean invalidate\?\)/,
    );
  const unknown = makePolicyFromRef("revoke(escalaton=invalidate)");
  assert.ok(!unknown.ok);
  if (!unknown.ok)
    assert.match(unknown.error, /no parameter escalaton \(did you mean escalation\?\)/);
});
