#!/usr/bin/env python3
"""Replaces (or appends) one benchmark's section of docs/benchmarks.md (or of DOC), between
<!-- NAME:start --> and <!-- NAME:end -->. usage: bench-section.py NAME SECTION [DOC]"""
import re
import sys

name, section = sys.argv[1], sys.argv[2]
path = sys.argv[3] if len(sys.argv) > 3 else 'docs/benchmarks.md'
text = open(path).read()
start, end = '<!-- %s:start -->' % name, '<!-- %s:end -->' % name
if start in text:
    text = re.sub(re.escape(start) + '.*' + re.escape(end), lambda m: section, text, flags=re.S)
else:
    text = text.rstrip('\n') + '\n\n' + section + '\n'
open(path, 'w').write(text)
