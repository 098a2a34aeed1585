"""Cursor pagination in id order: stable while rows are added, and each page is one
indexed range read however deep the client pages."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "-id"  # newest first; ids never change
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = "分页游标无效"


class CodeCursorPagination(IdCursorPagination):
    """Reference lists (the tree, grids, the catalogue) read best in code order."""

    ordering = "code"
