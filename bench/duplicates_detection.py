"""Detection alone (`duplicates.detection.pairs`), without a database: CPU time, memory and
the pairs found for N synthetic customers made as bench/duplicates.py makes them (never part
of the product).

    .venv/bin/python bench/duplicates_detection.py --customers 1000000 [--save pairs.pickle]

The rows are made first and held in memory (their RSS is printed before the run); then the
pairs are computed as `custreg duplicates` computes them. `--save` writes the pairs sorted
(ids, score, reasons, similarity), so two versions of the code can be compared for identical
results.
"""

import argparse
import pickle
import random
import resource
import time

from duplicates import _people

from custreg.duplicates import detection


def rows(n: int, seed: int) -> list[tuple]:
    """COLUMNS-shaped rows with the seeded duplicates of bench/duplicates.fill."""
    rng = random.Random(seed)
    earlier: list[dict] = []
    out = []
    for i, row in enumerate(_people(n, rng)):
        dup = row.pop("_dup", None)
        if dup is not None and earlier:
            source = rng.choice(earlier)
            if dup == 0:
                row["email"] = source["email"]
            elif dup == 1:
                row["cellular_phone"] = source["cellular_phone"]
            else:
                row["first_name"], row["last_name"] = source["first_name"].upper(), source["last_name"].lower()
                row["street"] = source["street"].upper()
        if len(earlier) < 10_000:
            earlier.append(row)
        elif rng.random() < 0.01:
            earlier[rng.randrange(len(earlier))] = row
        rng.getrandbits(128), rng.getrandbits(128)  # the GUIDs fill draws
        name = f"{row['first_name']} {row['last_name']}"
        out.append(
            (
                i + 1,
                i + 1,
                None,
                None,
                row["email"],
                None,
                None,
                row["cellular_phone"],
                name,
                None,
                row["zip_code"],
                row["street"],
            )
        )
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=26)
    p.add_argument("--save", default=None, help="write the sorted pairs to this pickle file")
    args = p.parse_args()
    made = rows(args.customers, args.seed)
    held = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.process_time()
    found = list(detection.pairs(detection.person(r) for r in made))
    cpu = time.process_time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.customers:,} customers: {len(found):,} pairs, CPU {cpu:.1f} s, "
        f"peak RSS {peak:.0f} MiB ({peak - held:.0f} MiB over the {held:.0f} MiB of rows held)"
    )
    if args.save:
        result = sorted((p.first, p.second, p.score, tuple(sorted(p.reasons)), p.similarity) for p in found)
        with open(args.save, "wb") as f:
            pickle.dump(result, f)


if __name__ == "__main__":
    main()
