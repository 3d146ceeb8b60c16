"""The REST API under /api/v1/: DRF routers, pagination and the OpenAPI schema."""
