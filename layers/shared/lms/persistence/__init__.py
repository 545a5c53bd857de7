"""DynamoDB access (pynamodb): the only package that talks to the table."""
