/**
 * The catalogue of diagnostic codes. A code never changes meaning once
 * released, so scripts and documentation may refer to it; retired codes are
 * left as gaps. 0xx: reading characters, 1xx: syntax and statement shape,
 * 2xx: names, 3xx: meaning (sizes, ranges, combinations).
 */

interface CodeInfo {
  readonly severity: "error" | "warning";
  readonly title: string;
}

export const CODES = {
  PIN000: { severity: "error", title: "too many errors" },
  PIN001: { severity: "error", title: "unexpected character" },
  PIN002: { severity: "error", title: "unterminated string" },
  PIN003: { severity: "error", title: "malformed number" },
  PIN004: { severity: "error", title: "file too large" },

  PIN101: { severity: "error", title: "unknown statement" },
  PIN102: { severity: "error", title: "unknown operation" },
  PIN103: { severity: "error", title: "unexpected token" },
  PIN104: { severity: "error", title: "missing closing brace" },
  PIN105: { severity: "error", title: "unmatched closing brace" },
  PIN106: { severity: "error", title: "unknown argument" },
  PIN107: { severity: "error", title: "argument given twice" },
  PIN108: { severity: "error", title: "missing argument" },
  PIN109: { severity: "error", title: "invalid value" },
  PIN110: { severity: "error", title: "statement not allowed here" },
  PIN111: { severity: "error", title: "result variable missing or not allowed" },
  PIN112: { severity: "error", title: "statement given twice" },
  PIN113: { severity: "error", title: "label not allowed here" },
  PIN114: { severity: "error", title: "repeat not at the end of its program" },
  PIN115: { severity: "error", title: "malformed policy parameters" },
  PIN116: { severity: "error", title: "policy parameter given twice" },
  PIN120: { severity: "error", title: "syntax error in a condition" },
  PIN121: { severity: "error", title: "a state the object does not have, in a condition" },
  PIN122: { severity: "error", title: "condition without its predicate" },

  PIN140: { severity: "error", title: "loop count out of range" },
  PIN141: { severity: "error", title: "repeat and loops or branches in one program" },
  PIN142: { severity: "error", title: "loop or branch in a remote program" },
  PIN143: { severity: "error", title: "else without if, or break outside a loop" },
  PIN144: { severity: "error", title: "malformed loop, if, else or break" },

  PIN201: { severity: "error", title: "unknown user" },
  PIN202: { severity: "error", title: "unknown file" },
  PIN203: { severity: "error", title: "unknown process" },
  PIN204: { severity: "error", title: "unknown remote peer" },
  PIN205: { severity: "error", title: "variable used before assignment" },
  PIN206: { severity: "error", title: "variable of the wrong kind" },
  PIN207: { severity: "error", title: "duplicate name" },
  PIN208: { severity: "error", title: "duplicate label" },
  PIN209: { severity: "error", title: "unknown policy" },
  PIN210: { severity: "error", title: "unknown property" },
  PIN211: { severity: "error", title: "unknown operation in expectation" },
  PIN212: { severity: "error", title: "unknown result" },
  PIN213: { severity: "error", title: "create of a declared file" },
  PIN214: { severity: "error", title: "renamed property" },
  PIN215: { severity: "error", title: "no such copy of a replicated name" },
  PIN216: { severity: "error", title: "replicated name without a copy number" },
  PIN217: { severity: "error", title: "unknown label in wait_for" },
  PIN218: { severity: "error", title: "fork and forked process do not match" },
  PIN219: { severity: "error", title: "waits that can never end" },
  PIN220: { severity: "error", title: "unknown policy parameter" },
  PIN230: { severity: "error", title: "unknown file in a condition" },
  PIN231: { severity: "error", title: "unknown process or peer in a condition" },
  PIN232: { severity: "error", title: "unknown variable in a condition" },

  PIN240: { severity: "error", title: "VFIO DMA mapping of a device (VM_PFNMAP) mapping" },
  PIN250: { severity: "error", title: "memory_failure of a backing the model does not cover" },

  PIN260: { severity: "error", title: "branch on a label not executed before it" },
  PIN261: { severity: "error", title: "label inside a loop named without its iteration" },
  PIN262: { severity: "error", title: "unknown result in a branch" },

  PIN301: { severity: "error", title: "page past the end of the file" },
  PIN302: { severity: "warning", title: "write past the end of the file" },
  PIN303: { severity: "error", title: "page outside the mapping" },
  PIN304: { severity: "error", title: "page outside every registration sent to the peer" },
  PIN305: { severity: "error", title: "empty page range" },
  PIN306: { severity: "error", title: "number out of the model's bounds" },
  PIN307: { severity: "error", title: "not enough blocks" },
  PIN308: { severity: "error", title: "F_UNBREAK without F_LAYOUT" },
  PIN309: { severity: "error", title: "bad reflink source" },
  PIN310: { severity: "warning", title: "recv that can never complete" },
  PIN311: { severity: "warning", title: "ambiguous operation in expectation" },
  PIN312: { severity: "warning", title: "result the operation never returns" },
  PIN313: { severity: "warning", title: "value listed twice" },
  PIN314: { severity: "warning", title: "rdma_write through an MR without remote_write" },
  PIN315: { severity: "warning", title: "rdma_read through an MR without remote_read" },
  PIN316: { severity: "error", title: "repeating tail keeps what it creates" },
  PIN317: { severity: "error", title: "distribution out of order" },
  PIN318: { severity: "warning", title: "repeats or replicas that check never explores" },
  PIN319: { severity: "warning", title: "assumption stated twice" },
  PIN320: { severity: "warning", title: "assumption about a process that holds nothing to break" },
  PIN321: { severity: "error", title: "file flag that does not fit its backing" },
  PIN322: { severity: "warning", title: "operation that always fails on this backing" },
  PIN323: { severity: "error", title: "a gup_test pin where an MR is needed, or the reverse" },
  PIN324: { severity: "error", title: "bad value of a policy parameter" },
  PIN325: { severity: "warning", title: "policy named bare and with parameters" },
  PIN330: { severity: "error", title: "a block outside the device, in a condition" },
  PIN331: { severity: "error", title: "a file page with no block at the start, in a condition" },
  PIN332: { severity: "error", title: "a file page outside the model, in a condition" },
  PIN333: { severity: "warning", title: "a condition that cannot change" },

  PIN340: { severity: "warning", title: "vfio_dma_write through a mapping without prot=write" },
  PIN341: { severity: "warning", title: "vfio_dma_read through a mapping without prot=read" },
  PIN342: { severity: "warning", title: "pipe_read in a program without vmsplice" },
  PIN351: { severity: "warning", title: "memory_failure of a page past the end of its file" },
  PIN352: { severity: "warning", title: "hca_reset where no process registers memory" },

  PIN360: { severity: "warning", title: "policy that no plugin file loaded defines" },

  PIN370: { severity: "warning", title: "branch on a result the operation never returns" },
  PIN371: { severity: "warning", title: "unreachable code" },
  PIN372: { severity: "error", title: "operation not allowed inside a loop" },
  PIN373: { severity: "error", title: "object still held at the next iteration" },
  PIN374: { severity: "error", title: "variable assigned inside a block and elsewhere" },
  PIN375: { severity: "error", title: "program too long once its loops are unrolled" },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;
