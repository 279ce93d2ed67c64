"""Turn news items into linked data: readers, enrichment and the RDF mapping.

The package is a pure library: parsing and mapping never open files, read the
environment or call the clock. Inputs come in as text, the base IRI and the
generation time as parameters.
"""
