#!/usr/bin/env python3
"""Writes a CSV of N contacts to stdout, for measuring `puls contacts import`.

Usage: python3 bench/contacts_csv.py N > contacts.csv

Deterministic. Every column kind the importer knows: ids, email, phone, name, locale, a
consent, typed and untyped attributes. About 1 row in 1,000 is bad (an invalid email), so
the error path is exercised too.
"""

import sys

CITIES = ["Warszawa", "Kraków", "Praha", "Brno", "Łódź", "Ostrava", "Gdańsk", "Plzeň"]
PLANS = ["free", "basic", "pro", "team"]
LOCALES = ["pl", "cs", "en"]


def main() -> None:
    n = int(sys.argv[1])
    out = sys.stdout
    out.write(
        "external_id,email,name,phone,locale,consent:email_marketing,"
        "orders:number,vip:bool,signup:date,plan,city\n"
    )
    rows = []
    for i in range(1, n + 1):
        email = f"customer{i}@example.com" if i % 1000 else f"customer{i}@"
        rows.append(
            f"cust-{i},{email},Customer {i},+48 600 {i % 1000:03d} {i % 997:03d},"
            f"{LOCALES[i % 3]},{'yes' if i % 2 else 'no'},{i % 50},{'true' if i % 10 == 0 else 'false'},"
            f"2025-{1 + i % 12:02d}-{1 + i % 28:02d},{PLANS[i % 4]},{CITIES[i % 8]}\n"
        )
        if len(rows) == 10000:
            out.write("".join(rows))
            rows.clear()
    out.write("".join(rows))


if __name__ == "__main__":
    main()
