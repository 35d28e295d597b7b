"""CLVR (seed 002) record kinds in the seed's names: each native record kind with its
seed → native names, date fields and links."""

from typing import Any

from custreg.actions.service import ACTIONS
from custreg.addresses.service import ADDRESSES
from custreg.choices import _date as date_part
from custreg.compat.clvr.mapping import PREFIX, as_datetime
from custreg.compat.common import validate
from custreg.customers.models import Customer
from custreg.insurances.service import INSURANCES
from custreg.loans.service import LOANS
from custreg.mandates.service import MANDATES
from custreg.parameters.service import EXTRA_FIELDS, PARAMETERS
from custreg.records import RecordKind
from custreg.records import read as read_record


class Mapping:
    """A record kind in the seed's names: seed → native names, date fields, links."""

    def __init__(
        self,
        kind: RecordKind,
        path: str,
        id_param: str,
        names: dict[str, str] | None = None,
        dates: tuple[str, ...] = (),
        datetimes: tuple[str, ...] = (),
        out_names: dict[str, str] | None = None,
        links: bool = True,
        href: bool = False,
        update_lacks: tuple[str, ...] = (),
    ) -> None:
        self.kind, self.path, self.id_param = kind, path, id_param
        self.names = names or {}  # seed → native (input)
        self.out_names = out_names if out_names is not None else {v: k for k, v in self.names.items()}
        self.errors = {v: k for k, v in self.names.items()}  # native → seed (errors)
        self.dates, self.datetimes, self.links, self.href = dates, datetimes, links, href
        # Native fields the seed's update schema does not have: its replace keeps them.
        self.update_lacks = update_lacks
        self.query = {f.lower(): f for f in kind.filters} | {k.lower(): v for k, v in self.names.items()}

    def native(self, body: dict[str, Any]) -> dict[str, Any]:
        out = {self.names.get(k, k): v for k, v in body.items()}
        for f in self.dates:
            if f in out:
                out[f] = date_part(out[f])
        return out

    def validate(self, body: dict[str, Any]) -> dict[str, Any]:
        return validate(self.kind.write_schema, self.native(body), self.errors).model_dump()

    def out(self, record, c: Customer) -> dict[str, Any]:
        d = read_record(self.kind, record).model_dump(mode="json")
        for f in (*self.dates, *self.datetimes):
            if f in d:
                d[f] = as_datetime(d[f])
        d = {self.out_names.get(k, k): v for k, v in d.items()}
        key = d.get(self.kind.id_field) or d.get(self.out_names.get(self.kind.id_field, ""))
        if self.href:
            d["href"] = f"{PREFIX}/{c.customer_guid}/{self.path}/{key}"
        if self.links:
            d["links"] = [
                {
                    "type": "GET",
                    "name": "self",
                    "href": f"{PREFIX}/{c.customer_guid}/{self.path}/{key}",
                    "resource": self.path,
                    "guid": str(key),
                }
            ]
        return d


ADDRESS = Mapping(
    ADDRESSES, "addresses", "addressGuid", dates=("validFrom", "validTo", "addressNotValidDate"), links=False
)
PARAMETER = Mapping(PARAMETERS, "parameters", "name", links=False, href=True)
EXTRA_FIELD = Mapping(EXTRA_FIELDS, "extrafields", "name", links=False)
MANDATE = Mapping(
    MANDATES,
    "directdebitmandates",
    "directDebitGuid",
    {"validfrom": "validFrom", "validuntil": "validUntil"},
    dates=("signedDate", "validFrom", "validUntil"),
)
MANDATE.out_names["receivingBankAccountNo"] = "bankAccountNo"
INSURANCE = Mapping(
    INSURANCES,
    "creditinsurances",
    "insuranceGuid",
    dates=("insuranceDate", "endDate", "extraLimitEndDate"),
    update_lacks=("insuranceCompanyReferenceCode", "insuranceDate", "insuranceCompanyName"),
)
ACTION = Mapping(ACTIONS, "actions", "actionGuid")
LOAN = Mapping(LOANS, "loans", "loanGuid", links=False)
LOAN_PERIOD_FIELDS = (
    *("loanType", "interestCode", "interestMarginCode", "interestRate", "interestFrom", "interestTo"),
    *("days", "principalAmount", "accruedInterest"),
)


def clvr_loan(record) -> dict[str, Any]:
    """A loan in the seed's shape: its GUID, number and periods (dates as date-times)."""
    d = read_record(LOANS, record).model_dump(mode="json")
    periods = [
        {f: as_datetime(p[f]) if f in ("interestFrom", "interestTo") else p[f] for f in LOAN_PERIOD_FIELDS}
        for p in d["periods"]
    ]
    return {"loanGuid": d["loanGuid"], "loanNumber": d["loanNumber"], "periods": periods}


def clvr_account(record) -> dict[str, Any]:
    """A loan as an account of the engagements view (`accounts`)."""
    d = read_record(LOANS, record).model_dump(mode="json")
    return {
        "accountNumber": d["loanNumber"],
        "uniqueId": d["loanGuid"],
        "description": d["description"],
        "currencyCode": d["currencyCode"],
        "balance": d["balance"],
    }
