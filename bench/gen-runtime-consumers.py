#!/usr/bin/env python3
"""Writes N runtime consumers (as the Admin API stores them in Redis) as Redis protocol, for `redis-cli --pipe`:
bench/run.sh's runtime-100k configuration, and `full`, which shares that Redis, start with them loaded.

    bench/gen-runtime-consumers.py N | redis-cli -p 16379 --pipe

Each consumer has one API key, stored as its SHA-256 digest; the bench user (bench-user / bench-secret-key-0001,
the key wrk and hey send) is the last one. Same seed as bench/gen-consumers.py, so every run writes the same data.
"""
import hashlib
import json
import sys
import uuid

BENCH_USER = "bench-user"
BENCH_KEY = "bench-secret-key-0001"
PREFIX = "{tollgate:consumers}"


def command(*words):
    out = [f"*{len(words)}\r\n"]
    for word in words:
        data = word.encode()
        out.append(f"${len(data)}\r\n")
        out.append(data.decode() + "\r\n")
    return "".join(out)


def consumers(count):
    for i in range(1, count):
        yield f"runtime-{i:06d}", hashlib.sha256(f"tollgate-bench-{i}".encode()).hexdigest()[:40]
    yield BENCH_USER, BENCH_KEY


def main(count):
    out = sys.stdout
    for n, (username, key) in enumerate(consumers(count)):
        consumer_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "tollgate-bench-consumer-" + username))
        key_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "tollgate-bench-key-" + username))
        digest = hashlib.sha256(key.encode()).hexdigest()
        value = json.dumps({"id": consumer_id, "username": username, "created_at": 1767225600,
                            "keys": [{"id": key_id, "sha256": digest, "created_at": 1767225600}]},
                           separators=(",", ":"))
        out.write(command("HSET", PREFIX + ":data", username, value))
        out.write(command("ZADD", PREFIX + ":usernames", "0", username))
        out.write(command("HSET", PREFIX + ":claims", "id:" + consumer_id, username, "key:" + digest, username))
    out.write(command("INCR", PREFIX + ":version"))


if __name__ == "__main__":
    main(int(sys.argv[1]))
