"""The synthetic bank: a deterministic, realistic Chinese retail bank in the extract format.

`generate_bank` plans customers, organisation, products, accounts and the planted churn, then
simulates money month by month and writes one business-date folder per month-end (see
docs/generator.md).
"""

from .run import generate_bank

__all__ = ["generate_bank"]
