"""The parts of the full customer (CustomerDetail) that the financial and relationship
records add. Each domain's service fills its part (customers.read.DETAIL_PARTS) from
relationships loaded with selectinload (customers.hooks.LOADERS), so the customer
GET costs a fixed number of queries however many records there are."""

from pydantic import BaseModel

from custreg.actions.schemas import ActionRead
from custreg.consents.schemas import ConsentRead
from custreg.insurances.schemas import InsuranceRead
from custreg.loans.schemas import LoanRead
from custreg.mandates.schemas import MandateRead
from custreg.parameters.schemas import ExtraFieldRead, ParameterRead
from custreg.pledges.schemas import CollateralRead, GuaranteeRead
from custreg.relations.schemas import GuaranteeFor, Guarantor, RelatedCustomer, RelationRead


class RecordsDetail(BaseModel):
    consents: list[ConsentRead] = []
    parameters: list[ParameterRead] = []
    extraFields: list[ExtraFieldRead] = []
    directDebitMandates: list[MandateRead] = []
    creditInsurances: list[InsuranceRead] = []
    guarantees: list[GuaranteeRead] = []
    collaterals: list[CollateralRead] = []
    loans: list[LoanRead] = []
    actions: list[ActionRead] = []
    relations: list[RelationRead] = []
    myGuarantors: list[Guarantor] = []
    guaranteeFor: list[GuaranteeFor] = []
    allRelatedCustomers: list[RelatedCustomer] = []


# Sent back in a customer PUT/PATCH body they are accepted and ignored.
RECORDS_DETAIL_FIELDS = frozenset(RecordsDetail.model_fields)
