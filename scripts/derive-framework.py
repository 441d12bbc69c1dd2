#!/usr/bin/env python3
"""Derives data/frameworks/ccss-math-5-7.json, the demo's competency framework, from
../shared/data: the grade 5-7 Common Core math standards (statements from the CASE sample,
case-sample/math_cfs_sample.json) with the prerequisite arrows of Achieve the Core's
coherence map (coherence-map/edges.csv). Run once; the output is committed so `make run`
works without ../shared. Components (6.EE.A.2a) are folded into their standard, and only
edges with both ends in grades 5-7 are kept."""
import collections
import csv
import json
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "..", "shared", "data")
out_path = os.path.join(here, "..", "data", "frameworks", "ccss-math-5-7.json")

case = json.load(open(os.path.join(data, "case-sample", "math_cfs_sample.json")))
standards = {}  # code -> item
for item in case["CFItems"]:
    code = (item.get("humanCodingScheme") or "").replace("CCSS.Math.Content.", "")
    if item.get("CFItemType") == "Standard" and item.get("educationalLevel") in ("05", "06", "07"):
        standards[code] = item

# "6.EE.2" (coherence map, no cluster letter) -> "6.EE.A.2"
by_short = {}
for code in standards:
    grade, domain, cluster, number = code.split(".")
    by_short[f"{grade}.{domain}.{number}"] = code


def resolve(node):
    """Standards a coherence-map node names: "6.EE.2", "4.NF.4.a", "0.CC.1||to 20", and the
    combined nodes "6.EE.3,4" (two standards)."""
    node = node.split("||")[0]
    parts = node.split(".")
    if len(parts) < 3:
        return []
    codes = []
    for number in parts[2].split(","):
        code = by_short.get(f"{parts[0]}.{parts[1]}.{number.strip()}")
        if code:
            codes.append(code)
    return codes


edges = set()
related = set()
with open(os.path.join(data, "coherence-map", "edges.csv")) as f:
    for row in csv.DictReader(f):
        for a in resolve(row["from"]):
            for b in resolve(row["to"]):
                if a == b:
                    continue
                if row["kind"] == "Arrow":
                    edges.add((a, b))
                else:
                    related.add(tuple(sorted((a, b))))
related -= {tuple(sorted(e)) for e in edges}


def sort_key(code):
    g, d, c, n = code.split(".")
    return (int(g), d, c, int(re.match(r"\d+", n).group()))


competencies = [
    {
        "code": code,
        "statement": standards[code]["fullStatement"].strip(),
        "grade": str(int(standards[code]["educationalLevel"])),
        "source_id": standards[code]["identifier"],
    }
    for code in sorted(standards, key=sort_key)
]
framework = {
    "framework": {
        "source_id": "ccss-math-grades-5-7",
        "title": "Common Core State Standards for Mathematics, grades 5-7",
        "subject": "Math",
        "attribution": (
            "Standards text: Common Core State Standards for Mathematics. (c) Copyright 2010. "
            "National Governors Association Center for Best Practices and Council of Chief State "
            "School Officers. All rights reserved. Statements and ASN identifiers as exported by "
            "OpenSALT (MIT licence, (c) 2016 Public Consulting Group). Prerequisite arrows: "
            "Achieve the Core Coherence Map (achievethecore/atc-coherence-map, CC0 1.0)."
        ),
    },
    "competencies": competencies,
    "edges": [{"from": a, "to": b, "kind": "prerequisite"} for a, b in sorted(edges, key=lambda e: (sort_key(e[0]), sort_key(e[1])))]
    + [{"from": a, "to": b, "kind": "related"} for a, b in sorted(related, key=lambda e: (sort_key(e[0]), sort_key(e[1])))],
}
os.makedirs(os.path.dirname(out_path), exist_ok=True)
with open(out_path, "w") as f:
    json.dump(framework, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"{len(competencies)} competencies, {len(edges)} prerequisite and {len(related)} related edges -> {out_path}", file=sys.stderr)
