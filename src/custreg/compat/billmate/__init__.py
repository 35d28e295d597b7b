"""Seed 003 (Billmate customers) over the native services.

`mexcParamvaluesetsid` is the customer number, `date` the registration time. A `companyno`
that is an organisation number (of the customer's country, else the company's) makes a
COMPANY whose `name` is its company name; otherwise the customer is a PERSON and `name` its
full name. `delivery*` fields are the default DELIVERY address, `address2` the c/o line of
the main (LEGAL) address. Fields the register has no column for (`export`, `statuslog`,
`crediflowPartyId`, `mexcModulesid`, `mm3servicesid`) are kept as party parameters named
`billmate.<field>`. Every value is validated by the native rules; errors name the seed's
fields. docs/compat.md has the whole mapping.

The package: `mapping` (field maps, the seed's body to native fields and back), `write`
(stores a seed body: customer, addresses, parameters), `export` (the streamed CSV/XML) and
`routes` (the HTTP endpoints).
"""
