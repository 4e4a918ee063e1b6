import { definePolicy, escalateWith, LEASE_BREAK_TIME, onDax } from "./base.js";

/**
 * Jan Kara: a long-term pin on fs-DAX holds a revocable lease. A layout change
 * breaks it: SIGIO to the holder, whose handler agrees with the peer on
 * cancelling and drops the pins; the change waits. If the holder does not
 * answer within lease-break-time the kernel escalates: SIGKILL (the only
 * supported teardown, Jason Gunthorpe) or invalidating the one MR (possible on
 * few drivers). https://lore.kernel.org/r/20190206095000.GA12006@quack2.suse.cz,
 * https://lore.kernel.org/r/20190207171736.GD22726@ziepe.ca
 */
export const revokePolicy = definePolicy(
  "revoke",
  "Jan Kara: layout change breaks a lease; SIGIO, holder cancels and unpins; after lease-break-time the kernel escalates",
  "https://lore.kernel.org/r/20190206095000.GA12006@quack2.suse.cz",
  [
    {
      name: "escalation",
      values: ["sigkill", "invalidate"],
      default: "sigkill",
      doc: "what the kernel does when lease-break-time expires: kill the holder, or invalidate its MR",
    },
    LEASE_BREAK_TIME,
  ],
  (p) => ({
    revocablePins: true,
    // Every pinner's lease is broken (the default revokePinner); the timer escalates.
    leaseBreakTimeout: escalateWith(p.escalation === "invalidate" ? "invalidate" : "sigkill"),
    answers: {
      layoutChange: "fs-DAX: revoke (break the pins' leases, then wait); page cache: orphan",
      leaseBreakTimeout:
        p.escalation === "invalidate"
          ? "invalidate the one MR or ring buffer (where the NIC cannot: SIGKILL the holder)"
          : "SIGKILL the holder",
    },
    layoutChange: onDax({ do: "revoke" }),
  }),
);
