// owner-revoke: a proposal written as a plugin file (docs/plugins.md).
//
// A long-term pin on fs-DAX holds a revocable lease, as in Jan Kara's
// proposal (the built-in `revoke` policy), but only the process that holds
// the pins may break it: the owner's own truncate revokes (SIGIO, the holder
// cancels and unpins, the truncate waits; after lease-break-time the kernel
// escalates), while anyone else's truncate gets EBUSY, as in Doug Ledford's
// proposal (`ebusy`). It answers Jason Gunthorpe's "DoS engine" objection to
// revoke: another user can no longer make the kernel kill the pin holder.
//   https://lore.kernel.org/r/20190206095000.GA12006@quack2.suse.cz
//   https://lore.kernel.org/r/47820c4d696aee41225854071ec73373a273fd4a.camel@redhat.com
//
// Try it:  pinlab compare --policy ./examples/owner-revoke.js --policy revoke --workers 2
//          pinlab test-policy ./examples/owner-revoke.js
import { definePolicy, errno, pinHolders } from "pinlab/plugin";

export default definePolicy({
  name: "owner-revoke",
  summary: "the pin holder's own layout change revokes its lease; anyone else's fails with EBUSY",
  source: "https://lore.kernel.org/r/20190206095000.GA12006@quack2.suse.cz",
  params: [
    {
      name: "escalation",
      values: ["sigkill", "invalidate"],
      default: "sigkill",
      doc: "what the kernel does when the owner's lease break times out: kill the holder, or invalidate its MR",
    },
    {
      name: "lease-break-time",
      values: ["<seconds>"],
      default: "45",
      doc: "seconds before the kernel stops waiting for the lease holder (used by timed simulation)",
    },
  ],
  answers: (p) => ({
    // the pins hold revocable leases, as under `revoke`
    revocablePins: true,
    // what the lease-break timer does to each pinner (an MR on a NIC that cannot invalidate falls back to SIGKILL)
    leaseBreakTimeout: () => (p.escalation === "invalidate" ? "invalidate" : "sigkill"),
    // q.caller is the process changing the layout; the owners are those holding pins on the file
    layoutChange: (q) => {
      if (!pinHolders(q).includes(q.caller)) return { do: "fail", errno: errno.EBUSY };
      return q.dax ? { do: "revoke" } : { do: "proceed" };
    },
  }),
});
