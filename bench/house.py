#!/usr/bin/env python3
"""House metrics for the clean-up issue: how much main code repeats itself, how wide the public surface is,
how many long methods there are, and the largest files. Run from the repository root after `mvn -B -o compile`:

    python3 bench/house.py

Method length is read from the compiled classes' line-number tables (javap -l): last line minus first line of a
method's code, lambdas counted as their own methods. Duplicate pairs come from the `duplicates` tool when it is on the
PATH (both sides under src/main)."""
import os, re, subprocess, shutil, sys

MODULES = [d for d in ["api", "schema", "reconciler/core", "reconciler/service", "cli", "packaging"]
           if os.path.isdir(d)]

def main_sources():
    for m in MODULES:
        for root, _, files in os.walk(os.path.join(m, "src/main/java")):
            for f in files:
                if f.endswith(".java"):
                    yield os.path.join(root, f)

TOP = re.compile(r"^(public\s+)?((?:final|abstract|sealed|non-sealed|static)\s+)*(class|interface|record|enum|@interface)\s+\w+", re.M)

def surface():
    public = total = 0
    for p in main_sources():
        text = open(p, encoding="utf-8").read()
        for m in TOP.finditer(text):
            total += 1
            if m.group(1):
                public += 1
    return public, total

def long_methods(limit=50):
    found = []
    for m in MODULES:
        classes = os.path.join(m, "target/classes")
        if not os.path.isdir(classes):
            continue
        files = [os.path.join(r, f) for r, _, fs in os.walk(classes) for f in fs if f.endswith(".class")]
        for i in range(0, len(files), 200):
            out = subprocess.run(["javap", "-l", "-p"] + files[i:i + 200], capture_output=True, text=True).stdout
            cls = meth = None
            lines = []
            def flush():
                if meth and lines and max(lines) - min(lines) + 1 > limit and "lambda$" not in meth and meth != "<clinit>":
                    found.append((max(lines) - min(lines) + 1, cls + "." + meth))
            for line in out.splitlines():
                mc = re.match(r"^(?:Compiled from.*|.*\b(?:class|interface|enum|record)\s+([\w.$]+))", line)
                if mc and mc.group(1) and not line.startswith(" "):
                    flush(); meth = None; lines = []
                    cls = mc.group(1).split(".")[-1]
                    continue
                if line.strip() == "static {};":
                    flush(); meth = "<clinit>"; lines = []
                    continue
                mm = re.match(r"^  \S.*?([\w$<>]+)\(.*\)[^;]*;$", line)
                if mm:
                    flush(); meth = mm.group(1); lines = []
                    continue
                ml = re.match(r"^\s+line (\d+): \d+$", line)
                if ml:
                    lines.append(int(ml.group(1)))
            flush()
    return sorted(set(found), reverse=True)

def largest(n=8):
    sizes = [(sum(1 for _ in open(p, encoding="utf-8")), p) for p in main_sources()]
    return sorted(sizes, reverse=True)[:n]

def duplicate_pairs():
    """Pairs among main code only: the main sources are copied to a scratch folder so that test code, which repeats
    itself more, does not crowd main-code pairs out of the tool's 200-row list."""
    if not shutil.which("duplicates"):
        return None, []
    import tempfile
    with tempfile.TemporaryDirectory() as scratch:
        for p in main_sources():
            dest = os.path.join(scratch, p)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(p, dest)
        out = subprocess.run(["duplicates", "--repo", scratch, "--most", "200", "--seconds", "120"],
                             capture_output=True, text=True).stdout
    first = out.splitlines()[0] if out else ""
    rows = [l for l in out.splitlines() if re.match(r"^D\d+ ", l)]
    return first, rows

if __name__ == "__main__":
    all_rows, main_rows = duplicate_pairs()
    pub, tot = surface()
    lm = long_methods()
    print(f"modules: {', '.join(MODULES)}")
    if all_rows is not None:
        print(f"duplicates among main code: {all_rows}")
    print(f"public top-level types: {pub} of {tot} ({100 * pub // max(tot, 1)}%)")
    print(f"methods over 50 lines: {len(lm)}")
    for n, name in lm:
        print(f"  {n:4d}  {name}")
    print("largest main files (lines):")
    for n, p in largest():
        print(f"  {n:5d}  {p}")
    if "-v" in sys.argv:
        print("main-code duplicate pairs:")
        for r in main_rows:
            print("  " + r)
