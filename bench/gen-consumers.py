#!/usr/bin/env python3
"""Writes a tollgate.consumers-file of N consumers for the large-consumer-set measurement.

    bench/gen-consumers.py N FILE [--sha256]

Consumer i is bench-user-<i> with one API key, bench-key-<i> (in plaintext, or as its SHA-256 digest with
--sha256). FILE ending in .json gives JSON, anything else YAML (a top-level `consumers:` key).
"""
import hashlib
import sys


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    count, path = int(args[0]), args[1]
    digests = "--sha256" in argv
    json = path.endswith(".json")
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"consumers": [\n' if json else "consumers:\n")
        for i in range(count):
            key = f"bench-key-{i}"
            field, value = ("sha256", hashlib.sha256(key.encode()).hexdigest()) if digests else ("key", key)
            if json:
                sep = ",\n" if i else ""
                out.write(f'{sep}  {{"username": "bench-user-{i}", "api-keys": [{{"{field}": "{value}"}}]}}')
            else:
                out.write(f"  - username: bench-user-{i}\n    api-keys:\n      - {field}: {value}\n")
        out.write("\n]}\n" if json else "")


if __name__ == "__main__":
    main(sys.argv[1:])
