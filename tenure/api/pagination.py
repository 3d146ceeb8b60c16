"""Page-number pagination where the client may choose `page_size` (bounded)."""

from rest_framework.pagination import PageNumberPagination


class PageSizePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
