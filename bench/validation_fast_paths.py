"""Per-call time of normalize_phone and normalize_email (customers/validation.py) with their
fast paths, against the full library calls they stand for, on generated Nordic customers.

    .venv/bin/python bench/validation_fast_paths.py [--rows 4000] [--csv customers.csv] [--repeat 7]

The values are the customers' cellularPhone/workPhone (E.164, as bench/generate.py writes them)
and e-mail (firstname.lastname123@example.fi, info123@lastname.fi). Each figure is the best
of --repeat passes over all values, in µs per call; the domain cache of the e-mail fast path
is warm after the first pass, as in an import. "full" is the plain library call
(_phone_full, _email_full: phonenumbers.parse + is_valid_number + format_number;
email_validator.validate_email(...).normalized)."""

import argparse
import csv
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def values(path: Path, rows: int) -> tuple[list[tuple[str, str]], list[str]]:
    phones, emails = [], []
    with open(path, newline="", encoding="utf-8-sig") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if i >= rows:
                break
            for field in ("cellularPhone", "workPhone"):
                if row[field]:  # the export writes "'+358..." so that a spreadsheet keeps it text
                    phones.append((row[field].removeprefix("'"), row["countryCode"]))
            if row["email"]:
                emails.append(row["email"])
    return phones, emails


def per_call(fn: Callable[..., object], args: list[tuple], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for a in args:
            fn(*a)
        best = min(best, time.perf_counter() - start)
    return best / len(args) * 1e6


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=4000)
    p.add_argument("--csv", type=Path, help="a generated customers.csv (default: generate)")
    p.add_argument("--repeat", type=int, default=7)
    a = p.parse_args()
    if a.csv is None:
        import generate

        work = Path(tempfile.mkdtemp(prefix="custreg-fastpaths-"))
        generate.generate(a.rows, 8, work, progress=False)
        a.csv = work / "customers.csv"
    phones, emails = values(a.csv, a.rows)

    from custreg.customers import validation as v

    mails = [(e,) for e in emails]
    took_phone = sum(v._phone_fast(x) is not None for x, _ in phones) / len(phones)
    took_email = sum(v._email_fast(e) is not None for e in emails) / len(emails)
    print(f"{len(phones)} phones, {len(emails)} e-mails, {len({e.partition('@')[2] for e in emails})} domains")
    print(f"µs per call, best of {a.repeat}      fast path   full call   fast path took")
    phone_fast, phone_full = per_call(v.normalize_phone, phones, a.repeat), per_call(v._phone_full, phones, a.repeat)
    print(f"normalize_phone                {phone_fast:9.2f}   {phone_full:9.2f}   {took_phone:6.1%}")
    email_fast, email_full = per_call(v.normalize_email, mails, a.repeat), per_call(v._email_full, mails, a.repeat)
    print(f"normalize_email                {email_fast:9.2f}   {email_full:9.2f}   {took_email:6.1%}")


if __name__ == "__main__":
    main()
