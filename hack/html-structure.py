#!/usr/bin/env python3
"""Compares the element structure of HTML pages as a conforming HTML5 parser (html5lib) builds it.

    html-structure.py REFERENCE.html OTHER.html...

Each page's structure is the sequence of its elements, each with its depth, tag and attribute names
(not values, and no text). Every OTHER must have the structure of REFERENCE: a page rendered with
hostile strings must hold no element or attribute that the same page with harmless strings lacks.
Exits 1 and names the first difference otherwise."""
import sys

import html5lib


def structure(path):
    with open(path, "rb") as file:
        document = html5lib.parse(file.read(), treebuilder="etree", namespaceHTMLElements=False)
    elements = []

    def walk(element, depth):
        if not isinstance(element.tag, str):  # comments and processing instructions
            elements.append((depth, "#comment", ()))
            return
        elements.append((depth, element.tag, tuple(sorted(element.attrib))))
        for child in element:
            walk(child, depth + 1)

    walk(document, 0)
    return elements


def main(reference, others):
    expected = structure(reference)
    failed = False
    for other in others:
        found = structure(other)
        for index, (want, got) in enumerate(zip(expected, found)):
            if want != got:
                print(f"{other}: element {index} is {got}, the template wrote {want}")
                failed = True
                break
        else:
            if len(found) != len(expected):
                print(f"{other}: {len(found)} elements, the template wrote {len(expected)}")
                failed = True
    if not failed:
        print(f"{len(others)} pages have the template's {len(expected)} elements and their attributes, nothing more")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
