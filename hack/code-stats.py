#!/usr/bin/env python3
"""Lines per module and the longest functions of Sources/, for the closing notes of refactors.

    hack/code-stats.py [--top N]

A function's length is counted from its `func`/`init` line to the line that closes its body
(braces counted outside string literals and comments; good enough for this code base)."""
import os
import re
import sys

DECL = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|package|static|class|final|override|mutating|nonisolated|convenience|required|@discardableResult)\s+)*(func\s+[^\s(<]+|init[?!]?|deinit)\b")


def strip(line, in_block):
    """The line without comments and string literals' contents; whether a block comment goes on."""
    out, i, in_string = [], 0, False
    while i < len(line):
        if in_block:
            end = line.find("*/", i)
            if end < 0:
                return "".join(out), True
            i, in_block = end + 2, False
            continue
        c = line[i]
        if in_string:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_string = False
            i += 1
            continue
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            in_block, i = True, i + 2
            continue
        if c == '"':
            in_string = True
        out.append(c)
        i += 1
    return "".join(out), in_block


def functions(path):
    with open(path, encoding="utf-8") as file:
        lines = file.read().split("\n")
    found, stack, depth, in_block, multiline = [], [], 0, False, False
    for number, raw in enumerate(lines, 1):
        if raw.strip() in ('"""', '""") {') or raw.rstrip().endswith('"""') and raw.count('"""') == 1:
            multiline = not multiline
            continue
        if multiline:
            continue
        code, in_block = strip(raw, in_block)
        match = DECL.match(code)
        if match and "{" in code[match.end():] or (match and code.rstrip().endswith("(")):
            stack.append((depth, number, match.group(1)))
        elif match and "{" not in code and not code.rstrip().endswith(")"):
            stack.append((depth, number, match.group(1)))
        for c in code:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                while stack and depth <= stack[-1][0] and number >= stack[-1][1]:
                    start_depth, start, name = stack.pop()
                    found.append((number - start + 1, f"{path}:{start}", name))
    return found


def main():
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 10
    modules, all_functions = {}, []
    for root, _, files in os.walk("Sources"):
        if os.sep + "Generated" in root:
            continue  # protoc's output (hack/gen-proto.sh): not ours to shape
        for name in files:
            if not name.endswith(".swift"):
                continue
            path = os.path.join(root, name)
            module = path.split(os.sep)[1]
            with open(path, encoding="utf-8") as file:
                modules[module] = modules.get(module, 0) + sum(1 for _ in file)
            all_functions.extend(functions(path))
    print("Lines per module (Sources/):")
    for module, count in sorted(modules.items(), key=lambda item: -item[1]):
        print(f"  {module:<20} {count:>6}")
    print(f"  {'total':<20} {sum(modules.values()):>6}")
    print(f"\nThe {top} longest functions:")
    for length, where, name in sorted(all_functions, reverse=True)[:top]:
        print(f"  {length:>4} lines  {name:<40} {where}")
    print(f"\nFunctions over 60 lines: {sum(1 for f in all_functions if f[0] > 60)} of {len(all_functions)}")


if __name__ == "__main__":
    main()
