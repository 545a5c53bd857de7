"""The searchable catalog: one compact entry per course, held in memory by the courses function."""
