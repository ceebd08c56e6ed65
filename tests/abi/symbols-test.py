#!/usr/bin/env python3
"""The exported symbols, the version script and the CU_API declarations must agree."""
import re, subprocess, sys, glob, os

lib, mapfile, incdir = sys.argv[1:4]
ok_ffi = True
nm = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True, check=True)
exported = {l.split()[-1].split("@")[0] for l in nm.stdout.splitlines() if l.split()[1:2] in (["T"], ["D"], ["B"], ["R"])}
exported.discard("CLAUDEUSAGE_0.1")
declared = set()
for h in glob.glob(os.path.join(incdir, "*.h")) + glob.glob(os.path.join(incdir, "*.h.in")):
    declared |= set(re.findall(r"CU_API\s[^;(]*?\b(cu_\w+)\s*\(", open(h).read()))
# FFI-friendly signatures: nothing a foreign caller cannot build.
for h in glob.glob(os.path.join(incdir, "*.h")) + glob.glob(os.path.join(incdir, "*.h.in")):
    text = re.sub(r"/\*.*?\*/", "", open(h).read(), flags=re.S)
    for decl in re.findall(r"(?:CU_API|typedef)[^;]*;", text):
        for bad, why in ((r"\bFILE\b", "FILE*"), (r"\bva_list\b", "va_list"), (r"\.\.\.", "variadic"),
                         (r"\blong\b", "long"), (r"\benum\s+\w+\s+\w", "enum-typed parameter")):
            if re.search(bad, decl):
                ok_ffi = False
                print(f"{os.path.basename(h)}: {why} in: {' '.join(decl.split())}")
mapped = set(re.findall(r"^\s*(\w+);", open(mapfile).read(), re.M))
ok = ok_ffi
for name, a, b in (("exported but not declared", exported, declared), ("declared but not exported", declared, exported),
                   ("in the map but not declared", mapped, declared), ("declared but not in the map", declared, mapped)):
    if a - b:
        ok = False
        print(f"{name}: {sorted(a - b)}")
bad = [s for s in exported if not s.startswith("cu_")]
if bad:
    ok = False
    print("non-cu_ symbols exported:", bad)
print(f"{len(exported)} exported, {len(declared)} declared, {len(mapped)} mapped")
print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
sys.exit(0 if ok else 1)
