"""Signals a lower layer sends and the apps above it receive, defined here so that a receiver need not
import the sender's app (docs/architecture.md)."""

from django.dispatch import Signal

# Sent by the import (`ingest/dimensions.py`; sender: the table's name) after a dimension table's rows
# are written, inside the import's transaction, with `rows` (the Arrow rows written) and
# `business_date`. The apps that keep rules over imported fields connect here (customers: moves made
# in Tenure against the extract's RM, docs/book.md; messaging: customers' languages).
ROWS_UPSERTED = Signal()
