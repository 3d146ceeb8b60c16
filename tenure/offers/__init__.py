"""Offers: our product catalogue's suitability terms, customer risk assessments and the one
suitability check every product proposal goes through (docs/offers.md)."""
