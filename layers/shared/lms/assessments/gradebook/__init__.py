"""The gradebook: categories and weights, course grades from released grades, class export."""
