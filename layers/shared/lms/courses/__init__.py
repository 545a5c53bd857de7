"""The courses context: catalog, sections, lessons and the publication lifecycle."""
