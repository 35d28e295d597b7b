"""Seed 002 (Aptic CLVR customers API) over the native services.

Paths carry no company: the credentials' one company, else `X-Company`. The seed's names
(`firstname`, `lastname`, `middlename`, `validfrom`, `validuntil`, `typeCode`, ...) are mapped
to the native fields; its integer enums are

- `juridicalType`: 0 = natural person (`customerType` PERSON), 1 = juridical person, an
  organisation (COMPANY);
- `gender`: 0 = unknown (UNSPECIFIED), 1 = male (MALE), 2 = female (FEMALE).

Dates arrive and leave as date-times (`2019-08-24T00:00:00Z`); the register keeps the date.
Lists answer `{count, skip, total, value}` and take `$filter/$orderby/$top/$skip` with the
seed's field names in any letter case. Errors are problem details naming the seed's fields.

The package: `mapping` (field lists, schemas, the customer both ways, `$filter` translation),
`records` (each record kind in the seed's names) and `routes` (the HTTP endpoints).
"""
