"""Tenure: customer relationship and loyalty platform for banks and card acquirers."""

__version__ = "0.1.0"
