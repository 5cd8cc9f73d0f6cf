#!/usr/bin/env python3
"""Resource and instruction-mix report of the CUDA kernels, from ptxas -v and
the disassembly of one sm_90 cubin (see scripts/sass-report.sh, which builds
it).  Nothing here runs on a GPU: every number printed is read off the
compiler's output or derived from it by the rules stated next to the code.

Usage: sass-report.py PTXAS_LOG DISASSEMBLY KERNELS_DIR

DISASSEMBLY is `nvdisasm -g -c` output (branch targets are labels, source
lines are `//## File` comments) or `cuobjdump -sass` output (hex targets, no
source lines); both are parsed.
"""

import collections
import math
import random
import re
import sys

# sm_90 (H100) per-SM limits used for the occupancy column.
REGS_PER_SM = 65536
REG_ALLOC_UNIT = 256          # registers are allocated per warp in units of 256
MAX_WARPS_PER_SM = 64
MAX_BLOCKS_PER_SM = 32
SMEM_PER_SM = 228 * 1024
SMEM_RESERVED_PER_BLOCK = 1024  # the driver keeps 1 KB per resident block

# stall: the compiler's stall count from the instruction's control bits (the
# cycles before the warp may issue its next instruction; None where the
# disassembly carries no encodings).
Instr = collections.namedtuple("Instr", "addr guard op operands target line stall")


def read_const(path, name, default):
    """An `inline constexpr int NAME = N;` of a kernel header, so the report
    follows the code when a strip height or block size changes."""
    try:
        with open(path) as f:
            m = re.search(r"\b%s\s*=\s*(\d+)\s*;" % re.escape(name), f.read())
        return int(m.group(1)) if m else default
    except OSError:
        return default


def parse_ptxas(text):
    """ptxas -v prints, per entry function: 'Compiling entry function NAME',
    then stack/spill bytes, then registers and shared memory."""
    res, cur = {}, None
    for line in text.splitlines():
        m = re.search(r"Compiling entry function '([^']+)'", line)
        if m:
            cur = res.setdefault(m.group(1), {"regs": 0, "stack": 0, "spill_st": 0, "spill_ld": 0, "smem": 0})
            continue
        if cur is None:
            continue
        m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
        if m:
            cur["stack"], cur["spill_st"], cur["spill_ld"] = map(int, m.groups())
        m = re.search(r"Used (\d+) registers", line)
        if m:
            cur["regs"] = int(m.group(1))
        m = re.search(r"(\d+) bytes smem", line)
        if m:
            cur["smem"] = int(m.group(1))
    return res


INSTR_RE = re.compile(r"/\*([0-9a-f]{4,})\*/\s+(@!?U?P[T0-9]+\s+)?([A-Z][A-Za-z0-9_.]*)\s*([^;]*);")
FUNC_RES = (re.compile(r"\s*Function : (\S+)"),   # cuobjdump -sass
            re.compile(r"\.text\.(\S+):\s*$"))     # nvdisasm


def parse_disassembly(text):
    """Returns {mangled name: [Instr]} in address order, branch targets as
    addresses (nvdisasm's labels resolved, cuobjdump's hex parsed)."""
    funcs = {}
    cur = labels = None
    pending, line_no = [], None
    for raw in text.splitlines():
        m = FUNC_RES[0].match(raw) or FUNC_RES[1].match(raw)
        if m:
            cur, labels = [], {}
            funcs[m.group(1)] = (cur, labels)
            pending, line_no = [], None
            continue
        if cur is None:
            continue
        m = re.match(r'\s*//## File "([^"]+)", line (\d+)', raw)
        if m:
            line_no = "%s:%s" % (m.group(1).rsplit("/", 1)[-1], m.group(2))
            continue
        m = re.match(r"\s*(\.L_x_\d+):", raw)
        if m:
            pending.append(m.group(1))
            continue
        m = INSTR_RE.search(raw)
        if not m:
            # The encoding's second 64-bit word (nvdisasm -hex), alone on its
            # line: bits 41-44 are the stall count of the instruction above
            # (sm_70 and later control bits).
            w = re.fullmatch(r"\s*/\* 0x([0-9a-f]{16}) \*/\s*", raw)
            if w and cur and cur[-1].stall is None:
                cur[-1] = cur[-1]._replace(stall=(int(w.group(1), 16) >> 41) & 15)
            continue
        addr = int(m.group(1), 16)
        for lab in pending:
            labels[lab] = addr
        pending = []
        op, operands = m.group(3), m.group(4).strip()
        target = None
        if op.split(".")[0] in ("BRA", "BSSY", "CALL", "BRX", "JMP"):
            t = re.search(r"`\((\.L_x_\d+)\)", operands) or re.search(r"\b0x([0-9a-f]+)\s*$", operands)
            if t:
                target = t.group(1)
        cur.append(Instr(addr, (m.group(2) or "").strip(), op, operands, target, line_no, None))
    out = {}
    for name, (ins, labels) in funcs.items():
        out[name] = [i._replace(target=(labels.get(i.target) if i.target.startswith(".L_x_") else int(i.target, 16)))
                     if i.target is not None else i for i in ins]
    return out


# ---- instruction classes -------------------------------------------------

def is_dpx(op):
    """DPX and packed 16x2 SIMD integer ops: the fused three-input ones
    (VIADDMNMX, VIMNMX3, sm_90+) and any V* op on 16x2 halves (VIMNMX.S16x2,
    VIADD.16x2).  A plain 32-bit VIMNMX / VIADD is sm_90's ordinary integer
    min/max / add and counts as ALU."""
    base = op.split(".")[0]
    return base in ("VIADDMNMX", "VIMNMX3") or (base.startswith("V") and "16X2" in op.upper())


CTRL = {"BRA", "BSSY", "BSYNC", "BREAK", "EXIT", "WARPSYNC", "BAR", "NOP", "YIELD", "MEMBAR", "ERRBAR",
        "CGAERRBAR", "NANOSLEEP", "CALL", "RET", "BPT", "BRX", "JMP", "CCTL", "DEPBAR", "WARPGROUP"}


def kind(op):
    base = op.split(".")[0]
    if is_dpx(op):
        return "dpx"
    if base in ("LDS", "LDSM"):
        return "lds"
    if base in ("STS",):
        return "sts"
    if base in ("LDG", "STG", "LD", "ST", "LDL", "STL", "ATOM", "ATOMG", "RED"):
        return "gmem"
    if base.startswith("SHFL"):
        return "shfl"
    if base in CTRL:
        return "ctrl"
    return "alu"


KINDS = ("dpx", "alu", "lds", "sts", "gmem", "shfl", "ctrl")


def short_name(mangled):
    """inter/intra/group/trace x OpsI32/OpsS16x2 x mode, from the mangled
    name (template arguments: Ops type, the mode as an int, for the intra
    kernel the lanes per worker -- 32 is "intra", fewer "group" --, whether
    scores come from registers: "acgt", and the rows a lane when not the
    default: "intra4" for kIntraShortRows; "-pf" for the prefix-maximum F)."""
    m = re.search(r"(inter|intra)_kernelI.*?Ops(I32|S16x2)ELi(\d)E(?:Li(\d+)E)?(?:Lb([01])E)?(?:Li(\d+)E)?(?:Lb([01])E)?",
                  mangled)
    if m:
        mode = {"0": "local", "1": "global", "2": "semi"}.get(m.group(3), m.group(3))
        kind = "group" if m.group(1) == "intra" and m.group(4) not in (None, "32") else m.group(1)
        if kind == "intra" and m.group(6) not in (None, "8"):
            kind = "intra" + m.group(6)
        # inter: <Ops, mode, acgt, prefix F>; intra: <Ops, mode, lanes, acgt, rows, prefix F>
        if m.group(7) == "1":
            kind += "-pf"
        name = "%s %s %s" % (kind, "s16x2" if m.group(2) == "S16x2" else "i32", mode)
        return name + " acgt" if m.group(5) == "1" else name
    if "trace_warp_kernel" in mangled:
        return "trace-w i32 global"
    if "trace_kernel" in mangled:
        return "trace i32 global"
    if "PackFunctor" in mangled:
        return "pack (thrust)"
    if "EmptyKernel" in mangled:
        return None  # CUB's placeholder; never launched
    return mangled[:40]


def occupancy(regs, smem, block_threads):
    """Resident warps per SM: whole blocks, limited by registers (per warp,
    rounded up to 256), shared memory (+1 KB per block), 32 blocks, 64 warps."""
    wpb = block_threads // 32
    regs_per_warp = max(1, math.ceil(regs * 32 / REG_ALLOC_UNIT)) * REG_ALLOC_UNIT
    blocks = min(REGS_PER_SM // regs_per_warp // wpb,
                 SMEM_PER_SM // (smem + SMEM_RESERVED_PER_BLOCK),
                 MAX_BLOCKS_PER_SM,
                 MAX_WARPS_PER_SM // wpb)
    return blocks * wpb


# ---- the hot loop ----------------------------------------------------------

def loops(ins):
    """Loops = conditional backward branches (nvcc rotates loops so the back
    edge is a predicated BRA).  Unconditional backward BRAs are the returns of
    out-of-line code (BRA.DIV fallbacks), not loops."""
    out = []
    for k, i in enumerate(ins):
        if i.op == "BRA" and i.guard and i.target is not None and i.target < i.addr:
            head = next((j for j, x in enumerate(ins) if x.addr == i.target), None)
            if head is not None:
                out.append((head, k))
    return out


def hot_loop(ins, min_dpx=8):
    """The innermost loop holding the recurrence: the shortest loop with at
    least `min_dpx` DPX ops (the strip's column loop; outer loops hold it and
    more, spin loops hold none)."""
    best = None
    for head, tail in loops(ins):
        n_dpx = sum(is_dpx(x.op) for x in ins[head:tail + 1])
        if n_dpx >= min_dpx and (best is None or tail - head < best[1] - best[0]):
            best = (head, tail)
    return best


def is_packed(op):
    """A DPX op on 16x2 halves: the recurrence of the s16x2 kernels.  (nvcc
    also lowers plain 32-bit min(a + b, c) to VIADDMNMX, e.g. for a loop
    bound, so the 32-bit ones do not mark recurrence work there.)"""
    return is_dpx(op) and "16X2" in op.upper()


def core_path(ins, head, tail, work=is_packed):
    """One trip around the loop that executes every recurrence op (`work`)
    one trip can, with the fewest instructions: at each branch take the side
    with more such ops, then the shorter side.  It skips the rarely taken
    blocks that hold no recurrence work (a code-word reload every 8th column,
    a new best end, a chunk prefetch every 32 steps), which are listed apart.
    Predicated instructions count as issued: a warp issues them whatever the
    predicate.  Nested backward branches count as not taken."""
    index = {ins[k].addr: k for k in range(head, tail + 1)}
    best = {}  # k -> (work ops, -instructions, next k) of the best way to the back edge
    for k in range(tail, head - 1, -1):
        i = ins[k]
        own = (1 if work(i.op) else 0, 1)
        if k == tail:
            best[k] = (own[0], -own[1], None)
            continue
        succ = []
        uncond = i.op == "BRA" and not i.guard
        if i.op == "EXIT" and not i.guard:
            pass  # dead end
        else:
            if i.op.split(".")[0] == "BRA" and i.target is not None:
                t = index.get(i.target)
                if t is not None and t > k:  # forward, inside the loop
                    succ.append(t)
            if not uncond:
                succ.append(k + 1)
        cands = [best[s] + (s,) for s in succ if best.get(s) is not None]
        if not cands:
            best[k] = None
            continue
        d, c, _, s = max(cands, key=lambda v: (v[0], v[1]))
        best[k] = (d + own[0], c - own[1], s)
    path, k = [], head
    while k is not None:
        path.append(k)
        k = best[k][2] if best.get(k) else None
    return path


# ---- single-warp time per trip (a model, not a measurement) ------------------
#
# When too few warps share an SM sub-partition to hide latency, a trip around
# the loop costs its dependency chain, not its instruction count.  This replays
# the core path in order, one instruction per cycle at most, each waiting for
# its source registers; trips repeat until the time per trip is steady.  The
# latencies are ASSUMED round figures (public Hopper microbenchmarks put shared
# memory near 30 cycles and an L2 hit near 200-300), to be replaced by measured
# ones: the output is an estimate of the order of magnitude.
# DPX: the H100's dependent-op latencies from bench/cuda_ops_bench (stop 13,
# kernels/PERFORMANCE.md "First GPU run"): VIADDMNMX 4.44 clocks, VIMNMX3 8.5.
LATENCY = {"alu": 5, "dpx": 5, "dpx3": 9, "lds": 30, "gmem": 250, "shfl": 25, "ldc": 10, "mufu": 15, "conv": 10}


def lat_class(op):
    base = op.split(".")[0]
    k = kind(op)
    if k == "dpx" and base == "VIMNMX3":
        return "dpx3"
    if k in ("dpx", "lds", "gmem", "shfl"):
        return k
    if base in ("LDC", "ULDC", "S2R", "S2UR", "CS2R"):
        return "ldc"
    if base == "MUFU":
        return "mufu"
    if base in ("I2F", "F2I", "I2I", "F2F"):
        return "conv"
    return "alu"


NO_DST = {"STG", "STS", "STL", "ST", "RED", "BRA", "BSSY", "BSYNC", "BREAK", "EXIT", "MEMBAR", "NOP", "WARPSYNC",
          "BAR", "CCTL", "ERRBAR", "CGAERRBAR", "YIELD", "NANOSLEEP", "ENDCOLLECTIVE", "CALL", "RET"}


def regs_of(tok):
    """Registers named by one operand: R7 / -R7 / |R7| / R7.reuse -> R7;
    R8.64 -> R8, R9; predicates P0..P6 (PT and RZ are constants)."""
    out = []
    for m in re.finditer(r"\b(U?R)(\d+)(\.64|\.128)?|\b(U?P)([0-6])\b", tok):
        if m.group(1):
            n = int(m.group(2))
            width = {".64": 2, ".128": 4}.get(m.group(3), 1)
            out += ["%s%d" % (m.group(1), n + w) for w in range(width)]
        else:
            out.append(m.group(4) + m.group(5))
    return out


def dsts_srcs(i):
    ops = [o.strip() for o in i.operands.split(",")] if i.operands else []
    base = i.op.split(".")[0]
    srcs = regs_of(i.guard)
    if base in NO_DST or not ops:
        return [], srcs + [r for o in ops for r in regs_of(o)]
    # Two results when the first or second operand is a predicate (ISETP's
    # pair, LOP3's P, IADD3's / LEA's carry, SHFL's in-range flag).
    n = 2 if len(ops) > 1 and (re.fullmatch(r"!?U?P[T0-6]", ops[0]) or re.fullmatch(r"U?P[T0-6]", ops[1])) else 1
    dst = [r for o in ops[:n] for r in regs_of(o)]
    if re.fullmatch(r"U?R\d+", ops[0]) and re.search(r"\.(WIDE|64)\b", i.op):
        dst += regs_of(ops[0] + ".64")[1:]
    elif re.fullmatch(r"U?R\d+", ops[0]) and ".128" in i.op:
        dst += regs_of(ops[0] + ".128")[1:]
    return dst, srcs + [r for o in ops[n:] for r in regs_of(o)]


def cycles_per_trip(ins, path, latency=LATENCY, trips=8):
    """Steady-state cycles per trip of one warp issuing `path` in order."""
    ready = collections.defaultdict(int)
    t, ends = 0, []
    for _ in range(trips):
        for k in path:
            dst, src = dsts_srcs(ins[k])
            t = max([t + 1] + [ready[r] for r in src])
            done = t + latency[lat_class(ins[k].op)]
            for r in dst:
                # A predicated write may not happen: the old value may be the one used.
                ready[r] = max(ready[r], done) if ins[k].guard else done
        ends.append(t)
    return (ends[-1] - ends[-3]) / 2.0


# Results whose wait is tracked by a scoreboard, not by stall counts.
VARIABLE_LATENCY = ("lds", "gmem", "shfl", "ldc", "mufu", "conv")


def stalled_cycles_per_trip(ins, path, latency=LATENCY, trips=8):
    """Steady-state cycles per trip of one warp issuing `path` in order as the
    compiler scheduled it: each instruction waits its predecessor's stall
    count (fixed latencies, as encoded) and, for results of variable latency
    (shared / global memory, shuffles), the assumed latency.  None without
    encodings."""
    if any(ins[k].stall is None for k in path):
        return None
    ready = collections.defaultdict(int)
    t, gap, ends = 0, 0, []
    for _ in range(trips):
        for k in path:
            dst, src = dsts_srcs(ins[k])
            t = max([t + gap] + [ready[r] for r in src])
            gap = max(1, ins[k].stall)
            cls = lat_class(ins[k].op)
            if cls in VARIABLE_LATENCY:
                for r in dst:
                    ready[r] = t + latency[cls]
        ends.append(t)
    return (ends[-1] - ends[-3]) / 2.0


def mix(ins, idx):
    c = collections.Counter(kind(ins[k].op) for k in idx)
    return {k: c.get(k, 0) for k in KINDS}


def off_path_blocks(ins, head, tail, on_path, min_len=4):
    """Runs of loop instructions the core path skips, with their size and the
    source line most of them come from, so their frequency can be judged."""
    runs, cur = [], []
    for k in range(head, tail + 1):
        if k in on_path:
            if cur:
                runs.append(cur)
            cur = []
        else:
            cur.append(k)
    if cur:
        runs.append(cur)
    out = []
    for r in runs:
        if len(r) < min_len:
            continue
        lines = collections.Counter(ins[k].line for k in r if ins[k].line)
        src = lines.most_common(1)[0][0] if lines else "?"
        m = mix(ins, r)
        out.append((ins[r[0]].addr, len(r), m, src))
    return out


# ---- throughput ceilings (H100 SXM; estimates from the counts) --------------
#
# An SM has 4 sub-partitions, each issuing one warp-instruction per cycle.
# Integer work has 16 lanes per sub-partition on each of two pipes (H100: 64
# INT32 lanes per SM): IMAD-class ops on the FMA pipe, the rest (IADD3, LOP3,
# LEA, ISETP, SEL, PRMT, SHF...) on the ALU pipe, so each pipe takes at most
# one warp-instruction every 2 cycles.  Where DPX ops execute is not
# published; the "alu" ceiling assumes they share the ALU pipe, the "issue"
# ceiling that they cost no more than their issue slot.  Shared memory serves
# one 32-lane wavefront of 4-byte words per SM per cycle; lanes that hit one
# bank at different addresses need one wavefront each.
SMS, CLOCK_HZ = 132, 1.755e9


def pipe(op):
    base = op.split(".")[0]
    if base.startswith("U") or base in ("S2UR",):
        return "uniform"   # uniform datapath: an issue slot, no vector lanes
    k = kind(op)
    if k == "dpx":
        return "alu"
    if k != "alu":
        return k
    return "fma" if base == "IMAD" else "alu"


def ceilings(ins, path, cells_per_trip, wavefronts):
    """Cells/s bounds for a core path: issue, ALU pipe, FMA pipe, shared memory."""
    c = collections.Counter(pipe(ins[k].op) for k in path)
    sm_cycles = SMS * CLOCK_HZ
    per_smsp = {"issue": len(path), "alu": 2 * c["alu"], "fma": 2 * c["fma"]}
    out = {name: sm_cycles * 4 * cells_per_trip / cyc for name, cyc in per_smsp.items() if cyc}
    if c["lds"]:
        out["lds"] = sm_cycles * cells_per_trip / (c["lds"] * wavefronts)
    return out


def table_wavefronts(stride, letters, trials=4000, seed=1):
    """Expected wavefronts of one LDS of the substitution table when the 32
    lanes of a warp look up independent (query, target) code pairs drawn from
    `letters` codes: word q * stride + t, bank = word mod 32; lanes reading the
    same word share it, distinct words in one bank serialise."""
    rng = random.Random(seed)
    total = 0
    for _ in range(trials):
        banks = collections.defaultdict(set)
        for _lane in range(32):
            w = rng.randrange(letters) * stride + rng.randrange(letters)
            banks[w % 32].add(w)
        total += max(len(v) for v in banks.values())
    return total / trials


def fmt_mix(m, div=1.0):
    return "  ".join("%s %s" % (k, ("%.1f" % (m[k] / div)).rstrip("0").rstrip(".")) for k in KINDS if m[k])


def main():
    ptxas_log, disasm, kdir = sys.argv[1:4]
    with open(ptxas_log) as f:
        res = parse_ptxas(f.read())
    with open(disasm) as f:
        text = f.read()
    funcs = parse_disassembly(text)
    block = read_const(kdir + "/launch.hpp", "kBlockThreads", 128)
    rows = {"inter": read_const(kdir + "/layout.hpp", "kInterRows", 8),
            "intra": read_const(kdir + "/layout.hpp", "kIntraRows", 8)}
    rows["group"] = rows["intra"]
    rows["intra4"] = read_const(kdir + "/layout.hpp", "kIntraShortRows", 4)
    rows["inter-pf"], rows["intra-pf"] = rows["inter"], rows["intra"]

    names = sorted((short_name(n), n) for n in funcs if short_name(n))
    print("per kernel (sm_90, %d threads/block; occupancy = resident warps of 64, from registers and smem)" % block)
    print("%-25s %4s %5s %9s %6s %9s %5s %5s %5s %9s" % ("kernel", "regs", "stack", "spill", "smem",
                                                        "warps/SM", "dpx", "iadd", "imnx3", "loop/dpx"))
    for short, n in names:
        r = res.get(n, {})
        ins = funcs[n]
        c = collections.Counter(x.op.split(".")[0] for x in ins if is_dpx(x.op))
        warps = occupancy(r.get("regs", 0), r.get("smem", 0), block)
        hl = hot_loop(ins)
        loop_s = "-"
        if hl:
            body = range(hl[0], hl[1] + 1)
            loop_s = "%d/%d" % (len(body), sum(is_dpx(ins[k].op) for k in body))
        print("%-25s %4d %5d %4d/%-4d %6d %3d %3d%% %5d %5d %5d %9s" % (
            short, r.get("regs", 0), r.get("stack", 0), r.get("spill_st", 0), r.get("spill_ld", 0),
            r.get("smem", 0), warps, round(100 * warps / MAX_WARPS_PER_SM), sum(c.values()),
            c.get("VIADDMNMX", 0), c.get("VIMNMX3", 0), loop_s))
    print("dpx = all DPX / 16x2 SIMD ops in the kernel (iadd = VIADDMNMX, imnx3 = VIMNMX3);")
    print("loop/dpx = static instructions / DPX ops in the hot loop (innermost loop with >= 8 DPX ops)")

    for short in ("inter s16x2 local", "intra s16x2 local", "group s16x2 local",
                  "inter s16x2 local acgt", "intra s16x2 local acgt", "group s16x2 local acgt",
                  "intra4 s16x2 local acgt", "inter-pf s16x2 local", "intra-pf s16x2 local",
                  "inter-pf s16x2 local acgt", "intra-pf s16x2 local acgt"):
        n = dict(names).get(short)
        if n is None:
            continue
        ins = funcs[n]
        hl = hot_loop(ins)
        if not hl:
            print("\n%s: no hot loop found" % short)
            continue
        head, tail = hl
        path = core_path(ins, head, tail)
        r = rows[short.split()[0]]  # the kind
        m = mix(ins, path)
        print("\n%s: column loop %04x-%04x, %d instructions; core path %d = %.1f per packed cell-row (%d rows, 2 cells each)"
              % (short, ins[head].addr, ins[tail].addr, tail - head + 1, len(path), len(path) / r, r))
        print("  per column   : " + fmt_mix(m))
        print("  per cell-row : " + fmt_mix(m, r))
        cyc = cycles_per_trip(ins, path)
        line = "  one warp alone (model, assumed latencies %s): ~%.0f cycles per trip" % (
            " ".join("%s %d" % kv for kv in LATENCY.items() if kv[0] in ("dpx", "dpx3", "lds", "gmem", "shfl")), cyc)
        if m["gmem"]:
            # What prefetching the global loads one trip ahead would leave.
            line += ", ~%.0f if its global loads were prefetched" % cycles_per_trip(
                ins, path, dict(LATENCY, gmem=LATENCY["alu"]))
        print(line)
        stalled = stalled_cycles_per_trip(ins, path)
        if stalled is not None:
            print("  one warp alone (the compiler's stall counts, the assumed latencies above for memory and shuffles):"
                  " ~%.0f cycles per trip" % stalled)
        stride = read_const(kdir + "/recurrence.hpp", "kTableStride", 32)
        wf = table_wavefronts(stride, 4)
        ceil = ceilings(ins, path, 32 * 2 * r, wf)
        print("  ceilings, TCUPS at %d SMs x %.3f GHz (estimates): %s; LDS at %.2f wavefronts "
              "(stride %d, random ACGT pairs)" % (SMS, CLOCK_HZ / 1e9, "  ".join(
                  "%s %.2f" % (k, v / 1e12) for k, v in sorted(ceil.items(), key=lambda kv: kv[1])), wf, stride))
        blocks = off_path_blocks(ins, head, tail, set(path))
        if blocks:
            print("  off the core path (conditional; judge how often a warp takes them):")
            for addr, size, bm, src in blocks:
                print("    %04x %4d instr  %-40s %s" % (addr, size, fmt_mix(bm), src))


if __name__ == "__main__":
    main()
