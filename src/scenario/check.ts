/**
 * Checking: what is wrong with a scenario whose names all resolve. Sizes and
 * page ranges against the model's bounds and against the files they touch,
 * enough blocks for the declared files, and combinations the model rejects.
 * `compile()` re-checks some of this without positions; catching it here
 * gives the user a line and a column instead.
 */

import { ERRNO_NAMES } from "../model/errno.js";
import type { FsSpec, PeerOp, ProcOp } from "../model/spec.js";
import type { Decl, DeclOf, OpNode, Program } from "./ast.js";
import { allDecls, spanOf } from "./ast.js";
import { list } from "./bind.js";
import { DiagnosticSink, type PhaseResult } from "./diagnostics.js";
import { checkFlowNodes, timesRun } from "./flow.js";
import { checkOrder } from "./order.js";
import { type AnyOpNode, type Resolution, signatureOf } from "./resolve.js";
import { EXTRA_ERRNOS, RESULTS } from "./schema.js";

/** Bounds of the model (compile.ts): one block per page, small fixed tables. */
export const MAX_BLOCKS = 64;
export const MAX_FILE_PAGES = 32;
/** Files of a scenario, created ones and replicated copies included (compile.ts). */
export const MAX_FILES = 31;
export const MAX_PAGE = 63;

export function check(program: Program, res: Resolution, file = "<input>"): PhaseResult<null> {
  const sink = new DiagnosticSink(file);
  new Checker(program, res, sink).run();
  return { result: null, diagnostics: sink.drain() };
}

type ProcNode = OpNode<ProcOp>;

/** What the processes send one peer: how many registrations, their sizes and rights, and who sends. */
interface Sent {
  count: number;
  pages: number[];
  /** Per send, in order: the registration's access rights (null: not known here). */
  access: (readonly string[] | null)[];
  senders: Set<string>;
}

class Checker {
  /** The largest size (pages) each process may give each file: truncate, fallocate, write. */
  private readonly growth = new Map<DeclOf<"proc">, Map<string, number>>();
  /** The process being checked, and what its operations so far may have grown. */
  private current: DeclOf<"proc"> | undefined;
  private own = new Map<string, number>();
  /** Files whose size cannot be known statically (the target of a reflink). */
  private readonly unknownSize = new Set<string>();
  /** The scenario's `fs` statement, once run() has found it. */
  private fsSpec: FsSpec | undefined;
  /** Some process has an operation that could not be read: it may have been a `send`. */
  private readonly anyBadSend: boolean;

  constructor(
    private readonly program: Program,
    private readonly res: Resolution,
    private readonly sink: DiagnosticSink,
  ) {
    this.anyBadSend = allDecls(program).some(
      (d) => d.kind === "proc" && d.body.some((n) => n.kind === "bad"),
    );
  }

  run(): void {
    const decls = allDecls(this.program);
    const fs = decls.find((d): d is DeclOf<"fs"> => d.kind === "fs");
    if (fs && (fs.spec.blocks < 1 || fs.spec.blocks > MAX_BLOCKS))
      this.sink.report(
        "PIN306",
        spanOf(fs, "blocks"),
        `the model has 1..${MAX_BLOCKS} blocks (got ${fs.spec.blocks})`,
      );
    if (fs?.spec.daxMount !== undefined && fs.spec.kind !== "dax")
      this.sink.report(
        "PIN126",
        spanOf(fs, "dax"),
        "`dax=` is a mount option of an fs-DAX filesystem: `fs pagecache` has no DAX device",
        "write `fs dax dax=inode`, or drop `dax=`",
      );
    this.fsSpec = fs?.spec;
    this.daxFlagFiles(decls);
    for (const d of decls) if (d.kind === "bounds") this.bounds(d);
    checkOrder(
      decls.filter((d): d is DeclOf<"proc"> => d.kind === "proc"),
      this.sink,
    );
    this.files(fs?.spec.blocks ?? 4);
    this.sizes();
    const sent = new Map<string, Sent>();
    for (const d of decls) {
      if (d.kind !== "proc") continue;
      this.current = d;
      this.own = new Map();
      for (const n of d.body) {
        if (n.kind !== "op") continue;
        this.procOp(n, sent);
        this.grow(n, this.own);
      }
      checkFlowNodes(d, this.sink, (op) => RESULTS.get(signatureOf(op).name));
    }
    for (const d of decls)
      if (d.kind === "remote")
        this.remote(d, sent.get(d.name) ?? { count: 0, pages: [], access: [], senders: new Set() });
    for (const d of decls) if (d.kind === "expect") this.expect(d);
  }

  private bounds(d: DeclOf<"bounds">): void {
    for (const [key, v] of [
      ["max_states", d.spec.maxStates],
      ["max_depth", d.spec.maxDepth],
    ] as const)
      if (v !== undefined && v < 1)
        this.sink.report("PIN306", spanOf(d, key), `\`${key}=\` must be at least 1`);
  }

  private files(blocks: number): void {
    let used = 0;
    let reported = false;
    for (const f of this.res.files.values()) {
      const s = f.spec;
      if (f.sizeKnown && s.pages > MAX_FILE_PAGES)
        this.sink.report(
          "PIN306",
          spanOf(f, "pages"),
          `a file has at most ${MAX_FILE_PAGES} pages in the model (got ${s.pages})`,
        );
      if (s.reflinkOf !== undefined) {
        const src = this.res.files.get(s.reflinkOf);
        if (s.reflinkOf === s.name)
          this.sink.report(
            "PIN309",
            spanOf(f, "reflink"),
            `\`${s.name}\` cannot be a reflink of itself`,
          );
        else if (src?.spec.reflinkOf !== undefined)
          this.sink.report(
            "PIN309",
            spanOf(f, "reflink"),
            `\`${s.reflinkOf}\` is itself a reflink of \`${src.spec.reflinkOf}\``,
            `write \`reflink=${src.spec.reflinkOf}\`: every clone shares the same extents`,
          );
        else if (src?.sizeKnown && f.sizeKnown && src.spec.pages !== s.pages)
          this.sink.report(
            "PIN309",
            spanOf(f, "pages"),
            `\`${s.name}\` is a reflink of \`${s.reflinkOf}\`, which has ${pages(src.spec.pages)}`,
            `a clone has its source's size: write \`pages=${src.spec.pages}\``,
          );
        continue;
      }
      this.backing(f);
      if (s.layout !== "allocated" || s.kind === "pfnmap" || !f.sizeKnown) continue;
      // Memory-only files have no blocks (backing.ts memOnly).
      if (s.backing !== undefined && s.backing !== "fs" && s.backing !== "other") continue;
      // simulate makes every copy of a replicated file, so each needs its blocks
      const copies = this.res.copies.get(f) ?? 1;
      used += s.pages * copies;
      if (used > blocks && !reported) {
        reported = true;
        this.sink.report(
          "PIN307",
          spanOf(f, "pages"),
          `not enough blocks: the files declared up to \`${s.name}\`${copies > 1 ? ` (${copies} copies of it)` : ""} need ${used}, the fs has ${blocks}`,
          copies > 1
            ? "raise `blocks=` in the `fs` statement, declare the file `sparse`, or share one file outside `replicate`"
            : "raise `blocks=` in the `fs` statement, or declare a file `sparse`",
        );
      }
    }
    // One lineage bit per file (model/layout.ts INO_T_LINEAGE), copies included.
    let files = 0;
    for (const f of this.res.files.values()) {
      files += this.res.copies.get(f) ?? 1;
      if (files > MAX_FILES) {
        this.sink.report(
          "PIN306",
          spanOf(f, "name"),
          `the model has at most ${MAX_FILES} files, and the files declared up to \`${f.spec.name}\` make ${files} (\`replicate\` copies included)`,
          "share one file among the copies: declare it outside `replicate`",
        );
        break;
      }
    }
  }

  /** Flags that mean nothing, or that the model cannot hold, for the file's backing. */
  private backing(f: DeclOf<"file">): void {
    const s = f.spec;
    const b = s.backing ?? "fs";
    const at = spanOf(f, "backing");
    const fs = this.program.decls.find((d): d is DeclOf<"fs"> => d.kind === "fs");
    if (b === "other" && (fs?.spec.kind ?? "dax") === "dax")
      this.sink.report(
        "PIN321",
        at,
        "`backing=other` is a page-cache filesystem beside the scenario's; the model holds it only beside `fs pagecache`",
        "write `fs pagecache`, or give the file `backing=fs`",
      );
    if (b === "fs" || b === "other") return;
    if (s.kind === "pfnmap")
      this.sink.report(
        "PIN321",
        spanOf(f, "kind"),
        `\`pfnmap\` is a device file of its own kind, not a ${b} file`,
        `drop \`backing=${b}\` or \`pfnmap\``,
      );
    if (s.reflinkOf !== undefined)
      this.sink.report(
        "PIN321",
        spanOf(f, "reflink"),
        `a ${b} file shares no extents (FICLONE needs the filesystem's ->remap_file_range)`,
        "drop `reflink=`, or give the file `backing=fs` on XFS",
      );
    if (s.layout === "sparse" || !s.zeroed)
      this.sink.report(
        "PIN321",
        spanOf(f, s.layout === "sparse" ? "layout" : "zeroed"),
        `a ${b} file has no blocks: its pages start zeroed, so \`${s.layout === "sparse" ? "sparse" : "hypothetical-unzeroed"}\` means nothing`,
        `drop \`${s.layout === "sparse" ? "sparse" : "hypothetical-unzeroed"}\``,
      );
    if (b === "devdax" && s.movable)
      this.sink.report(
        "PIN321",
        spanOf(f, "movable"),
        "device-DAX memory is the device's own (ZONE_DEVICE), never in ZONE_MOVABLE",
        "drop `movable`",
      );
  }

  /**
   * What an fd argument refers to: a declared file's backing, or a memfd's
   * (with whether it allows sealing); undefined when the variable is not
   * known here.
   */
  private backingOf(
    n: AnyOpNode,
    role: string,
  ): { backing: string; name: string; sealing: boolean } | undefined {
    const def = this.res.defs.get(n)?.get(role);
    if (def?.kind !== "op") return undefined;
    const op = def.op as ProcOp;
    if (op.op === "memfd_create")
      return {
        backing: op.hugetlb ? "hugetlbfs" : "tmpfs",
        name: `the memfd ${op.dst}`,
        sealing: op.allowSealing ?? false,
      };
    if (op.op !== "open") return undefined;
    const f = this.res.files.get(op.file);
    if (!f) return { backing: "fs", name: `\`${op.file}\``, sealing: false };
    return { backing: f.spec.backing ?? "fs", name: `\`${op.file}\``, sealing: false };
  }

  /** fallocate modes a backing or a filesystem lacks (EOPNOTSUPP from ->fallocate). */
  private fallocMode(n: ProcNode, mode: string): void {
    if (mode === "alloc" || mode === "punch") return;
    const b = this.backingOf(n, "fd");
    if (b && (b.backing === "tmpfs" || b.backing === "hugetlbfs"))
      this.sink.report(
        "PIN349",
        spanOf(n, "mode"),
        `${b.name} (${b.backing}) knows only allocation and PUNCH_HOLE: \`${mode}\` always fails with EOPNOTSUPP`,
        "shmem_fallocate() and hugetlbfs_fallocate() support FALLOC_FL_KEEP_SIZE and FALLOC_FL_PUNCH_HOLE only",
      );
    else if (mode === "unshare" && (!b || b.backing === "fs") && this.fsSpec?.flavor === "ext4")
      this.sink.report(
        "PIN349",
        spanOf(n, "mode"),
        "ext4 has no FALLOC_FL_UNSHARE_RANGE (nor reflink): `unshare` always fails with EOPNOTSUPP",
        "use `flavor=xfs`",
      );
  }

  /**
   * PIN348: a file whose DAX flag a process changes, used again by a later
   * open. If its inode was evicted in between, the kernel loads it in the new
   * mode; the model keeps it on fs-DAX (fs/dax-flag.ts).
   */
  private daxFlagFiles(decls: readonly Decl[]): void {
    if (this.fsSpec?.kind !== "dax" || this.fsSpec.daxMount !== "inode") return;
    for (const d of decls) {
      if (d.kind !== "proc") continue;
      let changed: string | undefined;
      for (const n of d.body) {
        if (n.kind !== "op") continue;
        if (n.op.op === "fssetxattr") changed = this.fileOf(n, "fd") ?? changed;
        else if (n.op.op === "open" && changed !== undefined && n.op.file === changed)
          this.sink.report(
            "PIN348",
            spanOf(n, "file"),
            `\`${changed}\` is opened again after its DAX flag changed: if its inode was evicted in between, Linux loads it in the new mode, but pinlab keeps it on fs-DAX`,
            "end the program at the flag's effect (the last close), or silence this line with `# pinlab-ignore PIN348`",
          );
      }
    }
  }

  private alwaysFails(n: ProcNode, what: string, errno: string, hint: string): void {
    this.sink.report(
      "PIN322",
      n.stmt.head,
      `${what}: it always returns ${errno}`,
      `${hint}; if the failure is the point, silence this line with \`# pinlab-ignore PIN322\``,
    );
  }

  /** A variable of kind `mr` names an RDMA registration or a gup_test pin; the operations differ. */
  private pinKind(n: ProcNode, role: string, want: "reg_mr" | "pin_longterm"): void {
    const def = this.res.defs.get(n)?.get(role);
    if (def?.kind !== "op") return;
    const got = (def.op as ProcOp).op;
    if (got !== "reg_mr" && got !== "pin_longterm") return;
    if (got === want) return;
    const name = (n.op as { mr?: string; pin?: string }).mr ?? (n.op as { pin?: string }).pin;
    this.sink.report(
      "PIN323",
      spanOf(n, role),
      want === "reg_mr"
        ? `\`${name}\` is a gup_test pin (\`pin_longterm\`), not a memory registration: it has no rkey`
        : `\`${name}\` is a memory registration (\`reg_mr\`), not a gup_test pin`,
      want === "reg_mr" ? "drop its pin with `unpin_longterm`" : "end it with `dereg_mr`",
    );
  }

  /** The file an fd argument was opened on, following the variable to its `open`. */
  /** The `mmap` (or `mmap anon`) behind operation n's mapping, through any `mremap`s. */
  private mappingOf(n: AnyOpNode): AnyOpNode | undefined {
    let def = this.res.defs.get(n)?.get("va");
    for (let i = 0; i < 64 && def?.kind === "op" && (def.op as ProcOp).op === "mremap"; i++)
      def = this.res.defs.get(def)?.get("va");
    return def;
  }

  /** Whether operation n's mapping maps a device file (`pfnmap`, VM_PFNMAP). */
  private mapsPfn(n: AnyOpNode): boolean {
    const mm = this.mappingOf(n);
    const file = mm ? this.fileOf(mm, "fd") : undefined;
    return file !== undefined && this.res.files.get(file)?.spec.kind === "pfnmap";
  }

  private fileOf(n: AnyOpNode, role: string): string | undefined {
    const def = this.res.defs.get(n)?.get(role);
    if (def?.kind !== "op") return undefined;
    const op = def.op as ProcOp;
    if (op.op === "open") return op.file;
    return undefined;
  }

  /**
   * PIN303: page `page` of a pin-table slot (an io_uring buffer, a VFIO DMA
   * mapping) registered by `reg` over a whole mapping, whose pages count from
   * the mapping's start.
   */
  private slotPage(
    n: AnyOpNode,
    reg: AnyOpNode | undefined,
    op: string,
    page: number,
    what: string,
    hint: string,
  ): void {
    const m = reg ? this.mmapOf(reg, "va") : undefined;
    if (!m || m.last < m.first) return;
    const len = m.last - m.first + 1;
    if (page >= len)
      this.sink.report(
        "PIN303",
        spanOf(n, "page"),
        `${op} of page ${page} is outside ${what} (${pages(len)}: 0..${len - 1})`,
        hint,
      );
  }

  /** The `mmap` a mapping argument came from. */
  private mmapOf(n: AnyOpNode, role: string): (ProcOp & { op: "mmap" }) | undefined {
    const def = this.res.defs.get(n)?.get(role);
    if (def?.kind !== "op") return undefined;
    const op = def.op as ProcOp;
    return op.op === "mmap" ? op : undefined;
  }

  private sizes(): void {
    for (const [name, f] of this.res.files) if (!f.sizeKnown) this.unknownSize.add(name);
    for (const d of allDecls(this.program)) {
      if (d.kind !== "proc") continue;
      const m = new Map<string, number>();
      for (const n of d.body) if (n.kind === "op") this.grow(n, m);
      this.growth.set(d, m);
    }
  }

  /** Records how far an operation may extend a file; a reflink target's size becomes unknown. */
  private grow(n: ProcNode, into: Map<string, number>): void {
    const op = n.op;
    const set = (file: string | undefined, pages: number) => {
      if (file !== undefined) into.set(file, Math.max(into.get(file) ?? 0, pages));
    };
    if (op.op === "truncate") set(op.file, op.pages);
    else if (op.op === "ftruncate") set(this.fileOf(n, "fd"), op.pages);
    else if (
      op.op === "fallocate" &&
      (op.mode === "alloc" || op.mode === "zero" || op.mode === "unshare")
    )
      set(this.fileOf(n, "fd"), op.last + 1);
    else if (op.op === "fallocate" && op.mode === "insert") {
      // an insert grows the file by its range, from whatever size it has then
      const file = this.fileOf(n, "fd");
      if (file !== undefined) {
        const declared = this.res.files.get(file)?.spec.pages ?? 0;
        set(file, Math.max(into.get(file) ?? 0, declared) + op.last - op.first + 1);
      }
    } else if (op.op === "write") set(this.fileOf(n, "fd"), op.page + 1);
    else if (op.op === "reflink") {
      const dst = this.fileOf(n, "dst");
      if (dst !== undefined) this.unknownSize.add(dst);
    }
  }

  /** A page index within the model's bounds. */
  private page(n: AnyOpNode, key: string, value: number): boolean {
    if (value <= MAX_PAGE) return true;
    this.sink.report(
      "PIN306",
      spanOf(n, key),
      `page ${value} is beyond the model's last page, ${MAX_PAGE}`,
    );
    return false;
  }

  private range(n: AnyOpNode, first: number, last: number): boolean {
    if (!this.page(n, "pages", first) || !this.page(n, "pages", last)) return false;
    if (first <= last) return true;
    this.sink.report(
      "PIN305",
      spanOf(n, "pages"),
      `page range ${first}..${last} is empty`,
      `write \`pages=${last}..${first}\``,
    );
    return false;
  }

  /**
   * The largest size a declared file can have when the current operation
   * runs: its declared size, what earlier operations of this process may have
   * made it, and what any other process, running concurrently, may make it.
   */
  private staticSize(file: string | undefined): number | undefined {
    const f = file === undefined ? undefined : this.res.files.get(file);
    if (file === undefined || !f || this.unknownSize.has(file)) return undefined;
    let size = Math.max(f.spec.pages, this.own.get(file) ?? 0);
    for (const [proc, m] of this.growth)
      if (proc !== this.current) size = Math.max(size, m.get(file) ?? 0);
    return size;
  }

  private pastEof(n: ProcNode, key: string, what: string, file: string, size: number): void {
    this.sink.report(
      "PIN301",
      spanOf(n, key),
      `${what} is past the end of \`${file}\` (${pages(size)})`,
      size === 0
        ? `\`${file}\` is empty; give it \`pages=\` or extend it first`
        : `the last page of \`${file}\` is ${size - 1}`,
    );
  }

  private procOp(n: ProcNode, sent: Map<string, Sent>): void {
    const op = n.op;
    switch (op.op) {
      case "add_seals": {
        const b = this.backingOf(n, "fd");
        if (!b) return;
        if (b.backing !== "tmpfs" && b.backing !== "hugetlbfs")
          this.alwaysFails(
            n,
            `${b.name} is not a tmpfs or hugetlbfs file, and only those carry seals (memfd_add_seals())`,
            "EINVAL",
            "seal a `memfd_create allow_sealing` file",
          );
        else if (!b.sealing)
          this.alwaysFails(
            n,
            `${b.name} starts with F_SEAL_SEAL: only memfd_create(MFD_ALLOW_SEALING) clears it`,
            "EPERM",
            "create it with `memfd_create allow_sealing`",
          );
        return;
      }
      case "unpin_longterm":
        this.pinKind(n, "pin", "pin_longterm");
        return;
      case "dereg_mr":
        this.pinKind(n, "mr", "reg_mr");
        return;
      case "rereg_mr": {
        this.pinKind(n, "mr", "reg_mr");
        if (op.va === undefined && op.access === undefined)
          this.sink.report(
            "PIN343",
            n.stmt.head,
            "`rereg_mr` without `va=` or `access=` asks for no change: ib_uverbs_rereg_mr() returns EINVAL for no flags",
            "give a new range (`va=VA`, IB_MR_REREG_TRANS) or new access flags (`access=...`), or silence this line with `# pinlab-ignore PIN343`",
          );
        const reg = this.res.defs.get(n)?.get("mr");
        const regOp = reg?.kind === "op" ? (reg.op as ProcOp) : undefined;
        if (op.keys === "same" && regOp?.op === "reg_mr" && regOp.odp)
          this.sink.report(
            "PIN346",
            spanOf(n, "keys"),
            `\`${op.mr}\` is an ODP registration: mlx5_ib_rereg_user_mr() always makes a new MR for it, with new keys, whatever \`keys=same\` says`,
            "write `keys=new`, and send the new rkey to the peer",
          );
        return;
      }
      case "madvise":
        if (op.advice === "dontneed" && this.mapsPfn(n))
          this.sink.report(
            "PIN344",
            n.stmt.head,
            `\`madvise ${op.va} dontneed\` of a device (VM_PFNMAP) mapping: madvise_dontneed_free_valid_vma() refuses it, EINVAL`,
            "MADV_DONTNEED applies to memory with struct pages: a file, a memfd or anonymous memory; or silence this line with `# pinlab-ignore PIN344`",
          );
        return;
      case "mremap":
        if (op.dontunmap && this.mapsPfn(n))
          this.sink.report(
            "PIN344",
            n.stmt.head,
            `\`mremap ${op.va} dontunmap\` of a device (VM_PFNMAP) mapping: MREMAP_DONTUNMAP refuses VM_DONTEXPAND|VM_PFNMAP (check_prep_vma), EINVAL`,
            "move it without `dontunmap`, or silence this line with `# pinlab-ignore PIN344`",
          );
        return;
      case "mprotect": {
        const mm = this.mappingOf(n);
        const mmOp = mm?.kind === "op" ? (mm.op as ProcOp) : undefined;
        const fd = mm ? this.res.defs.get(mm)?.get("fd") : undefined;
        const openOp = fd?.kind === "op" ? (fd.op as ProcOp) : undefined;
        if (
          op.prot === "rw" &&
          mmOp?.op === "mmap" &&
          mmOp.shared &&
          openOp?.op === "open" &&
          openOp.mode === "r"
        )
          this.sink.report(
            "PIN345",
            n.stmt.head,
            `\`mprotect ${op.va} rw\` of a shared mapping of a file opened read-only: the mapping has no VM_MAYWRITE (do_mmap), so do_mprotect_pkey() returns EACCES`,
            "open the file `rw` to make a shared mapping writable later, or silence this line with `# pinlab-ignore PIN345`",
          );
        return;
      }
      case "mmap": {
        const b = this.backingOf(n, "fd");
        if (b?.backing === "devdax" && !op.shared)
          this.alwaysFails(
            n,
            `device-DAX refuses a private mapping of ${b.name} (drivers/dax/device.c check_vma())`,
            "EINVAL",
            "map it `shared`",
          );
        if (!this.range(n, op.first, op.last)) return;
        const file = this.fileOf(n, "fd");
        const size = this.staticSize(file);
        if (file !== undefined && size !== undefined && op.last >= size)
          this.pastEof(n, "pages", `mmap of pages ${op.first}..${op.last}`, file, size);
        return;
      }
      case "read":
      case "write": {
        const b = this.backingOf(n, "fd");
        if (b && (b.backing === "devdax" || (b.backing === "hugetlbfs" && op.op === "write")))
          this.alwaysFails(
            n,
            `${b.name} (${b.backing}) has no ->${op.op === "read" ? "read_iter" : "write_iter"}`,
            "EINVAL",
            "reach its pages through a mapping (`store`, `load`)",
          );
        if (!this.page(n, "page", op.page)) return;
        const file = this.fileOf(n, "fd");
        const size = this.staticSize(file);
        if (file === undefined || size === undefined || op.page < size) return;
        if (op.op === "read") this.pastEof(n, "page", `read of page ${op.page}`, file, size);
        else
          this.sink.report(
            "PIN302",
            spanOf(n, "page"),
            `write to page ${op.page} extends \`${file}\` past its ${pages(size)}`,
            "if that is meant, extend it explicitly with `ftruncate` or `fallocate ... alloc`",
          );
        return;
      }
      case "read_fixed":
      case "write_fixed": {
        if (!this.page(n, "page", op.page)) return;
        // The buffer is the whole mapping io_uring_register was given.
        const reg = this.res.defs.get(n)?.get("buf");
        this.slotPage(
          n,
          reg,
          op.op,
          op.page,
          `the buffer \`${op.buf}\``,
          "a registered buffer is the whole mapping it was registered over; its pages count from the mapping's start",
        );
        return;
      }
      case "memory_failure": {
        const f = this.res.files.get(op.file);
        const backing = f?.spec.backing ?? "fs";
        // proc/memory-failure.ts: fs-DAX, device-DAX and page-cache files only.
        if (backing === "tmpfs" || backing === "hugetlbfs")
          this.sink.report(
            "PIN250",
            n.stmt.head,
            `memory_failure of \`${op.file}\` (${backing}): pinlab models memory_failure() of fs-DAX, device-DAX and page-cache files only (shmem keeps a poisoned page in its cache, hugetlbfs has a path of its own)`,
            "poison a file of the scenario's filesystem or a device-DAX file",
          );
        if (!this.page(n, "page", op.page)) return;
        const size = this.staticSize(op.file);
        if (size !== undefined && op.page >= size)
          this.sink.report(
            "PIN351",
            spanOf(n, "page"),
            `page ${op.page} is past the end of \`${op.file}\` (${pages(size)}): no memory is there, and memory_failure always returns ENXIO`,
            size === 0
              ? `\`${op.file}\` is empty`
              : `the last page of \`${op.file}\` is ${size - 1}`,
          );
        return;
      }
      case "hca_reset": {
        const decls = allDecls(this.program);
        const registers = decls.some(
          (d) => d.kind === "proc" && d.body.some((x) => x.kind === "op" && x.op.op === "reg_mr"),
        );
        if (!registers)
          this.sink.report(
            "PIN352",
            n.stmt.head,
            "`hca_reset` in a scenario where no process registers memory (`reg_mr`): it destroys nothing and changes no verdict",
            "register an MR first, or silence this line with `# pinlab-ignore PIN352`",
          );
        return;
      }
      case "pipe_read": {
        const body = this.current?.body ?? [];
        if (!body.some((x) => x.kind === "op" && x.op.op === "vmsplice"))
          this.sink.report(
            "PIN342",
            n.stmt.head,
            "`pipe_read` in a program without a `vmsplice`: its pipe is always empty, and it returns EAGAIN",
            "`vmsplice VA page=N` fills the process's pipe; or silence this line with `# pinlab-ignore PIN342`",
          );
        return;
      }
      case "vfio_map_dma": {
        // vaddr_get_pfns(): a VM_PFNMAP VMA is not pinned at all (follow_fault_pfn).
        const mm = this.res.defs.get(n)?.get("va");
        const file = mm ? this.fileOf(mm, "fd") : undefined;
        if (file !== undefined && this.res.files.get(file)?.spec.kind === "pfnmap")
          this.sink.report(
            "PIN240",
            spanOf(n, "va"),
            `\`${op.va}\` maps the device file \`${file}\` (VM_PFNMAP): VFIO maps its PFNs without pinning them (vaddr_get_pfns → follow_fault_pfn), which pinlab does not model`,
            "map a regular file, a memfd or anonymous memory for the device",
          );
        return;
      }
      case "vfio_dma_write":
      case "vfio_dma_read": {
        if (!this.page(n, "page", op.page)) return;
        // The DMA mapping is the whole mapping vfio_map_dma was given.
        const reg = this.res.defs.get(n)?.get("dma");
        const regOp = reg?.kind === "op" ? (reg.op as ProcOp) : undefined;
        const want = op.op === "vfio_dma_write" ? "write" : "read";
        if (regOp?.op === "vfio_map_dma" && !regOp[want]) {
          const code = op.op === "vfio_dma_write" ? "PIN340" : "PIN341";
          this.sink.report(
            code,
            n.stmt.head,
            `\`${op.op}\` through a DMA mapping made without \`prot=${want}\`: the IOMMU blocks the access (a DMA fault) and it returns EFAULT`,
            `add \`${want}\` to the \`prot=\` of its \`vfio_map_dma\`, or silence this line with \`# pinlab-ignore ${code}\``,
          );
        }
        this.slotPage(
          n,
          reg,
          op.op,
          op.page,
          `the DMA mapping \`${op.dma}\``,
          "a VFIO DMA mapping is the whole mapping it was made over; its pages count from the mapping's start",
        );
        return;
      }
      case "dio_read":
      case "dio_write":
      case "vmsplice":
      case "store":
      case "load": {
        if (!this.page(n, "page", op.page)) return;
        const m = this.mmapOf(n, "va");
        if (!m || m.last < m.first) return;
        const len = m.last - m.first + 1;
        if (op.page >= len)
          this.sink.report(
            "PIN303",
            spanOf(n, "page"),
            `${op.op} to page ${op.page} is outside the mapping \`${op.va}\` (${pages(len)}: 0..${len - 1})`,
            `pages of a mapping count from its start: page 0 is file page ${m.first}`,
          );
        return;
      }
      case "fallocate": {
        if (!this.range(n, op.first, op.last)) return;
        this.fallocMode(n, op.mode);
        // allocation, zeroing and unsharing extend the file; an insert needs only its offset inside
        if (op.mode === "alloc" || op.mode === "zero" || op.mode === "unshare") return;
        const file = this.fileOf(n, "fd");
        const size = this.staticSize(file);
        if (op.mode === "insert") {
          if (file !== undefined && size !== undefined && op.first >= size)
            this.sink.report(
              "PIN347",
              spanOf(n, "pages"),
              `an insert at page ${op.first} is at or past the end of \`${file}\` (${pages(size)}): it always fails with EINVAL`,
              `FALLOC_FL_INSERT_RANGE needs an offset before EOF (the last page is ${size - 1}); if the failure is the point (on XFS it waits for the pins first), silence this line with \`# pinlab-ignore PIN347\``,
            );
          return;
        }
        if (file !== undefined && size !== undefined && op.last >= size)
          this.pastEof(n, "pages", `${op.mode} of pages ${op.first}..${op.last}`, file, size);
        return;
      }
      case "dedupe": {
        if (!this.range(n, op.first, op.last)) return;
        const src = this.fileOf(n, "src");
        const dst = this.fileOf(n, "dst");
        for (const role of ["src", "dst"]) {
          const b = this.backingOf(n, role);
          if (!b) continue;
          if (b.backing !== "fs")
            this.sink.report(
              "PIN349",
              spanOf(n, role),
              `${b.name} (${b.backing}) has no ->remap_file_range: the dedupe always fails (${role === "src" ? "EOPNOTSUPP" : "EXDEV"})`,
              "FIDEDUPERANGE works on the scenario's filesystem, on XFS",
            );
          else if (this.fsSpec?.flavor === "ext4" && role === "src")
            this.sink.report(
              "PIN349",
              n.stmt.head,
              "ext4 has no ->remap_file_range: the dedupe always fails with EOPNOTSUPP",
              "use `flavor=xfs`",
            );
        }
        if (src !== undefined && src === dst)
          this.sink.report(
            "PIN350",
            spanOf(n, "dst"),
            `a dedupe of \`${src}\` onto the same pages of itself always fails with EINVAL (generic_remap_checks(): overlapping ranges)`,
            "dedupe from another file",
          );
        const size = this.staticSize(src);
        if (src !== undefined && size !== undefined && op.last >= size)
          this.pastEof(n, "pages", `dedupe of pages ${op.first}..${op.last}`, src, size);
        return;
      }
      case "fssetxattr": {
        const b = this.backingOf(n, "fd");
        if (b && b.backing !== "fs") return;
        const fs = this.fsSpec;
        if (fs === undefined || fs.kind !== "dax" || fs.daxMount !== "inode")
          this.sink.report(
            "PIN349",
            n.stmt.head,
            fs?.kind === "pagecache"
              ? "FS_XFLAG_DAX on a filesystem without a DAX device: the file never becomes DAX, and nothing changes"
              : "FS_XFLAG_DAX under `dax=always`: every file is DAX whatever its flag, and nothing changes",
            "mount with `fs dax dax=inode` to let the flag decide at the inode's next load",
          );
        return;
      }
      case "truncate":
      case "ftruncate":
        if (op.pages > MAX_PAGE)
          this.sink.report(
            "PIN306",
            spanOf(n, "pages"),
            `a file has at most ${MAX_PAGE} pages in the model (got ${op.pages})`,
          );
        return;
      case "setlease":
        if (op.unbreak && !op.layout)
          this.sink.report(
            "PIN308",
            spanOf(n, "unbreak"),
            "`unbreak` (F_UNBREAK) needs `layout` (F_LAYOUT)",
            "write `setlease FD rd layout unbreak`",
          );
        return;
      case "send": {
        this.pinKind(n, "mr", "reg_mr");
        const s = sent.get(op.peer) ?? { count: 0, pages: [], access: [], senders: new Set() };
        // A `send` inside loops may run once per iteration.
        s.count += this.current ? timesRun(this.current, n) : 1;
        s.senders.add(this.current?.name ?? "");
        const reg = this.res.defs.get(n)?.get("mr");
        const m = reg?.kind === "op" ? this.mmapOf(reg, "va") : undefined;
        const regOp = reg?.kind === "op" ? (reg.op as ProcOp) : undefined;
        s.access.push(regOp?.op === "reg_mr" ? regOp.access : null);
        s.pages.push(m && m.last >= m.first ? m.last - m.first + 1 : Number.POSITIVE_INFINITY);
        sent.set(op.peer, s);
        return;
      }
      default:
        return;
    }
  }

  private remote(d: DeclOf<"remote">, sent: Sent): void {
    let recvs = 0;
    /** Per variable, which registration (in send order) its last `recv` takes. */
    const got = new Map<string, number>();
    const largest = sent.pages.length > 0 ? Math.max(...sent.pages) : Number.POSITIVE_INFINITY;
    for (const n of d.body) {
      if (n.kind !== "op") continue;
      const op = n.op as PeerOp;
      if (op.op === "recv") {
        got.set(op.dst, recvs);
        recvs++;
        if (recvs === sent.count + 1 && !this.anyBadSend)
          this.sink.report(
            "PIN310",
            n.stmt.head,
            sent.count === 0
              ? `no process sends a registration to \`${d.name}\`: this \`recv\` waits forever`
              : `only ${sent.count} registration${sent.count === 1 ? " is" : "s are"} sent to \`${d.name}\`: this \`recv\` waits forever`,
            `add \`send ${d.name} MR\` to a process`,
          );
        continue;
      }
      this.access(n, op, sent, got.get(op.mr));
      if (!this.page(n, "page", op.page)) continue;
      if (sent.count > 0 && op.page >= largest)
        this.sink.report(
          "PIN304",
          spanOf(n, "page"),
          `${op.op} to page ${op.page} is outside every registration sent to \`${d.name}\` (the largest has ${pages(largest)})`,
          "pages of a registration count from the start of its mapping",
        );
    }
  }

  /**
   * An RDMA WRITE through an MR registered without IBV_ACCESS_REMOTE_WRITE
   * (or a READ without REMOTE_READ) fails at the responder with
   * IBV_WC_REM_ACCESS_ERR and moves the QP to the error state: almost
   * always a slip in the scenario. With one sender the registration is the
   * one sent in that `recv`'s turn; with several, any one sent could arrive.
   */
  private access(n: AnyOpNode, op: PeerOp, sent: Sent, k: number | undefined): void {
    if (op.op === "recv" || sent.count === 0) return;
    const want = op.op === "rdma_write" ? "remote_write" : "remote_read";
    const which = sent.senders.size === 1 && k !== undefined ? [sent.access[k]] : sent.access;
    if (which.length === 0 || which.some((a) => a === undefined || a === null)) return;
    if (which.some((a) => a!.includes(want))) return;
    this.sink.report(
      op.op === "rdma_write" ? "PIN314" : "PIN315",
      n.stmt.head,
      `\`${op.op}\` through an MR registered without \`${want}\`: the NIC refuses it (IBV_WC_REM_ACCESS_ERR) and the QP goes to the error state`,
      `add \`${want}\` to the \`access=\` of its \`reg_mr\`, or silence this line with \`# pinlab-ignore ${op.op === "rdma_write" ? "PIN314" : "PIN315"}\``,
    );
  }

  private expect(d: DeclOf<"expect">): void {
    const e = d.spec;
    if (e.kind !== "result" || e.result === "ok" || e.result === "blocks") return;
    const proc = this.res.procs.get(e.proc);
    const ops = proc?.body.filter((n): n is ProcNode => n.kind === "op") ?? [];
    // `t#2` names the second iteration of the loop statement labelled `t`.
    const label = proc?.flow ? e.op.replace(/#\d+$/, "") : e.op;
    const target = ops.find((n) => n.op.label === label) ?? ops.find((n) => n.op.op === e.op);
    if (!target) return;
    const name = signatureOf(target.op).name;
    const can = RESULTS.get(name);
    if (
      can &&
      !can.includes(e.result) &&
      (ERRNO_NAMES.includes(e.result) || EXTRA_ERRNOS.includes(e.result))
    )
      this.sink.report(
        "PIN312",
        spanOf(d, "result"),
        `\`${name}\` does not return ${e.result} in the model`,
        `it returns \`ok\`, blocks, or one of ${list(can.filter((x) => x !== "EDEADLK"))}`,
      );
  }
}

function pages(n: number): string {
  return `${n} page${n === 1 ? "" : "s"}`;
}
