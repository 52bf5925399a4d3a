"""The query layer: SQL aggregation in, small frozen dataclasses out; every people query takes a scope."""
