"""SHACL shapes of the miglod graph and the library that validates data against them.

Load the shapes for a base IRI with :func:`load_shapes`, validate with :func:`validate`
or, for one new or changed item, :func:`validate_update`; build a :class:`Validator` once
to validate many times (:meth:`Validator.validate_store` validates data already in a
pyoxigraph store, :meth:`Validator.validate_file` a file without an rdflib graph of it).
Nothing is loaded at import time.
"""

from __future__ import annotations

from shapes.errors import DataError, ShapesError, ValidationInputError
from shapes.findings import Finding
from shapes.loading import DEFAULT_BASE_IRI, load_shapes
from shapes.published import GraphPublished, Published, StorePublished
from shapes.validation import ValidationResult, Validator, validate, validate_update

__all__ = [
    "DEFAULT_BASE_IRI",
    "DataError",
    "Finding",
    "GraphPublished",
    "Published",
    "ShapesError",
    "StorePublished",
    "ValidationInputError",
    "ValidationResult",
    "Validator",
    "load_shapes",
    "validate",
    "validate_update",
]
