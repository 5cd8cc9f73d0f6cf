#!/usr/bin/env python3
"""Convert a GenBank flat file's annotation to GFF3 and to a BED of its CDS.

Written for the pPCP1 example (NC_005816.gb) without Biopython: it parses the
GenBank text itself.  It understands the location forms that occur in NCBI
records: n, a..b, <a..b, a..>b, a^b, complement(...), join(...), order(...),
nested in any way.

GFF3 (1-based, inclusive) gets every feature, one line per part; the parts of
a join()/order() share one ID, which is how GFF3 spells a multi-part feature.
'source' becomes a 'region' line; misc_feature and variation become the SO
terms sequence_feature and sequence_alteration; other keys are kept.  Between-
base sites (a^b) have no GFF3 or BED form and are skipped (with a note).

The BED file (0-based, half-open) holds the CDS features only, named after
their locus_tag, as BED6 lines, or BED12 with blocks when a CDS is a join().

The sequence ID written into both files is the first word of the FASTA
header of the genome, so that the features name the contig the FASTA holds.
The script also checks that the GenBank ORIGIN sequence equals that FASTA.

Usage: genbank_to_gff3_bed.py NC_005816.gb NC_005816.fna [GFF3_OUT [BED_OUT]]
(defaults: NC_005816.gff3 and NC_005816.cds.bed beside the GenBank file).
"""

import os
import re
import sys
from urllib.parse import quote

TYPE_MAP = {"source": "region", "misc_feature": "sequence_feature", "variation": "sequence_alteration"}


def read_fasta(path):
    """(first word of the header, sequence) of a one-record FASTA file."""
    with open(path) as f:
        header = f.readline()
        if not header.startswith(">"):
            sys.exit(f"{path}: not FASTA")
        return header[1:].split()[0], "".join(line.strip() for line in f)


def parse_genbank(path):
    """(locus line, features, origin sequence); a feature is (key, location, qualifiers)."""
    features, origin, locus = [], [], ""
    section = None
    key = location = None
    qualifiers = []
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("LOCUS"):
                locus = line
            if line.startswith("FEATURES"):
                section = "features"
                continue
            if line.startswith("ORIGIN"):
                section = "origin"
                continue
            if line.startswith("//"):
                break
            if section == "origin":
                origin.append("".join(ch for ch in line if ch.isalpha()))
            elif section == "features":
                if len(line) > 5 and line[5] != " ":  # a new feature key at column 6
                    if key:
                        features.append((key, location, qualifiers))
                    key, location, qualifiers = line[5:21].strip(), line[21:].strip(), []
                elif line[21:].startswith("/"):
                    qualifiers.append(line[22:])
                elif qualifiers:  # a qualifier's value continues
                    sep = "" if qualifiers[-1].startswith("translation") else " "
                    qualifiers[-1] += sep + line[21:].strip()
                else:  # the location continues
                    location += line[21:].strip()
    if key:
        features.append((key, location, qualifiers))
    parsed = []
    for key, location, quals in features:
        q = {}
        for item in quals:
            name, _, value = item.partition("=")
            q.setdefault(name, []).append(value.strip('"'))
        parsed.append((key, location, q))
    return locus, parsed, "".join(origin).upper()


def parse_location(text):
    """Parts in biological order: (start, end, strand, partial5, partial3, between), 1-based inclusive."""
    text = text.replace(" ", "")
    pos = 0

    def expr():
        nonlocal pos
        for word in ("complement", "join", "order"):
            if text.startswith(word + "(", pos):
                pos += len(word) + 1
                items = [expr()]
                while text[pos] == ",":
                    pos += 1
                    items.append(expr())
                assert text[pos] == ")", text
                pos += 1
                if word == "complement":
                    assert len(items) == 1
                    return [(s, e, "-" if st == "+" else "+", p3, p5, b) for s, e, st, p5, p3, b in reversed(items[0])]
                return [part for item in items for part in item]
        m = re.compile(r"(<?)(\d+)(?:(\.\.|\^)(>?)(\d+))?").match(text, pos)
        assert m, f"cannot parse location {text!r} at {pos}"
        pos = m.end()
        start = int(m.group(2))
        end = int(m.group(5)) if m.group(5) else start
        return [(start, end, "+", bool(m.group(1)), bool(m.group(4)), m.group(3) == "^")]

    parts = expr()
    assert pos == len(text), f"trailing text in location {text!r}"
    return parts


def gff_escape(value):
    # GFF3 column 9 reserves ; = & , and control characters.
    return quote(value, safe=" :/()[]|.'-_+*#@!?<>{}")


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    gb_path, fasta_path = argv[1], argv[2]
    here = os.path.dirname(gb_path)
    stem = os.path.splitext(os.path.basename(gb_path))[0]
    gff_path = argv[3] if len(argv) > 3 else os.path.join(here, stem + ".gff3")
    bed_path = argv[4] if len(argv) > 4 else os.path.join(here, stem + ".cds.bed")

    seqid, genome = read_fasta(fasta_path)
    locus, features, origin = parse_genbank(gb_path)
    if origin and origin != genome.upper():
        sys.exit(f"{gb_path}: ORIGIN sequence differs from {fasta_path}")
    circular = "circular" in locus.split()

    gff = ["##gff-version 3", f"##sequence-region {seqid} 1 {len(genome)}"]
    bed = []
    counts = {}
    for key, location, q in features:
        parts = parse_location(location)
        if any(p[5] for p in parts):
            print(f"note: skipping {key} {location}: a site between bases has no GFF3/BED form", file=sys.stderr)
            continue
        gff_type = TYPE_MAP.get(key, key)
        tag = (q.get("locus_tag") or [""])[0]
        counts[gff_type] = counts.get(gff_type, 0) + 1
        if key == "gene" and tag:
            fid, name = f"gene-{tag}", (q.get("gene") or [tag])[0]
        elif key == "CDS" and q.get("protein_id"):
            fid, name = f"cds-{q['protein_id'][0]}", q["protein_id"][0]
        else:
            fid, name = f"{gff_type}-{counts[gff_type]}", None
        attrs = [f"ID={gff_escape(fid)}"]
        if name:
            attrs.append(f"Name={gff_escape(name)}")
        if key == "CDS" and tag:
            attrs.append(f"Parent={gff_escape('gene-' + tag)}")
        if key == "source" and circular:
            attrs.append("Is_circular=true")
        if any(p[3] or p[4] for p in parts):
            attrs.append("partial=true")
        for qual in ("locus_tag", "gene", "product", "note", "replace", "plasmid", "organism"):
            if qual in q:
                attrs.append(f"{qual}={','.join(gff_escape(v) for v in q[qual])}")
        phase = "."
        done = 0  # CDS phase: bases of the CDS before this part, modulo 3
        codon_start = int((q.get("codon_start") or ["1"])[0]) - 1
        for start, end, strand, *_ in parts:
            if key == "CDS":
                phase = str((3 - (done - codon_start) % 3) % 3 if done else codon_start)
                done += end - start + 1
            gff.append("\t".join([seqid, "GenBank", gff_type, str(start), str(end), ".", strand, phase,
                                  ";".join(attrs)]))
        if key == "CDS":
            # BED wants the parts ascending on the contig whatever the strand.
            blocks = sorted((s - 1, e) for s, e, *_ in parts)
            strand = parts[0][2]
            begin, stop = blocks[0][0], blocks[-1][1]
            line = [seqid, str(begin), str(stop), tag or name or fid, "0", strand]
            if len(blocks) > 1:
                line += [str(begin), str(stop), "0", str(len(blocks)),
                         ",".join(str(e - s) for s, e in blocks) + ",",
                         ",".join(str(s - begin) for s, e in blocks) + ","]
            bed.append("\t".join(line))

    with open(gff_path, "w") as f:
        f.write("\n".join(gff) + "\n")
    with open(bed_path, "w") as f:
        f.write("\n".join(bed) + "\n")
    print(f"wrote {gff_path} ({len(gff) - 2} lines) and {bed_path} ({len(bed)} CDS)")


if __name__ == "__main__":
    main(sys.argv)
