# python-work.py - a workload of `make bench`, run by Debian's
# /usr/bin/python3: JSON encoding and decoding, regular expressions and
# dicts of small objects, deterministic (fixed seed), a few million small
# allocations.  usage: python3 python-work.py [ROUNDS]
import json
import random
import re
import sys

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
rng = random.Random(12345)
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",
         "theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron"]
line_re = re.compile(r"(?P<user>[a-z]+)-(?P<id>\d+)\s+(?P<verb>GET|PUT|POST)\s+(?P<path>/\S*)")
word_re = re.compile(r"\b([a-z]{3,})\b")

total = 0
index = {}
for r in range(rounds):
    # A list of records, encoded and decoded again.
    records = []
    for i in range(2000):
        records.append({
            "id": r * 10000 + i,
            "name": rng.choice(words) + str(rng.randrange(1000)),
            "tags": [rng.choice(words) for _ in range(rng.randrange(1, 6))],
            "score": rng.random(),
            "nested": {"a": i, "b": [i, i + 1, str(i)]},
        })
    text = json.dumps(records)
    back = json.loads(text)
    total += len(text) + len(back)
    # Log lines parsed with regular expressions into a dict of dicts.
    lines = ["%s-%d %s /%s/%s/%d" % (rng.choice(words), rng.randrange(500),
                                    rng.choice(("GET", "PUT", "POST")),
                                    rng.choice(words), rng.choice(words),
                                    rng.randrange(100))
             for _ in range(3000)]
    for line in lines:
        m = line_re.match(line)
        if m is None:
            continue
        d = m.groupdict()
        per_user = index.setdefault(d["user"], {})
        per_user[d["path"]] = per_user.get(d["path"], 0) + 1
        for w in word_re.findall(d["path"]):
            total += len(w)
    # Strings joined and split, a dict rebuilt from them.
    counts = {}
    for w in " ".join(lines).split():
        counts[w] = counts.get(w, 0) + 1
    total += len(counts)
    # Keep the index bounded: drop the smallest per-user tables.
    if len(index) > 10:
        for k in sorted(index, key=lambda k: len(index[k]))[:5]:
            del index[k]

print(total, len(index))
